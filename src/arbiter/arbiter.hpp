// The master process (Gunicorn's Arbiter): binds the listeners, forks and watches the workers,
// turns signals into actions in one single-threaded loop, and never runs request code.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "arbiter/pidfile.hpp"
#include "config/config.hpp"
#include "net/listener.hpp"
#include "util/heartbeat_table.hpp"
#include "util/startup_context.hpp"
#include "util/unique_fd.hpp"

namespace gf::arbiter {

class Arbiter {
 public:
  // startup: how this process was started, so that USR2 can start the new binary the same way.
  Arbiter(const config::Config& cfg, util::StartupContext startup);
  // Runs until the master stops; returns the process exit status.
  int run();

 private:
  struct Worker {
    int age = 0;
    size_t slot = 0;
    bool aborted = false;  // SIGABRT sent for a timeout; SIGKILL next time round
  };

  void start();
  void main_loop();
  void handle_signal(int sig);
  void reload();
  void spawn_worker();
  void manage_workers();
  void murder_workers();
  void reap_workers();
  void kill_worker(pid_t pid, int sig);
  void kill_workers(int sig);
  void stop(bool graceful);
  void halt(int status, const std::string& reason = "", bool graceful = true);
  std::vector<int> wait_for_signals(int timeout_ms);
  void set_num_workers(int n);
  void reexec();
  void maybe_promote();
  bool may_unlink_sockets() const;

  const config::Config& cfg_;
  std::string proc_name_;
  std::vector<net::Listener> listeners_;
  util::HeartbeatTable heartbeat_;
  util::UniqueFd signal_fd_;
  std::map<pid_t, Worker> workers_;
  int num_workers_ = 1;
  int last_age_ = 0;
  pid_t pid_ = 0;
  std::optional<int> exit_status_;  // set once the master has decided to stop
  std::optional<Pidfile> pidfile_;  // --pid
  bool systemd_ = false;            // listeners came from systemd socket activation
  util::StartupContext startup_;
  std::string master_name_ = "Master";  // "Master.2" until a re-exec child is promoted
  pid_t master_pid_ = 0;  // re-exec child: the old master (GUNICORN_PID) until promotion
  pid_t reexec_pid_ = 0;  // old master: the re-exec child while it lives
};

}  // namespace gf::arbiter
