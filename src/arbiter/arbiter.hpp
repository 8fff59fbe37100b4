// The master process (Gunicorn's Arbiter): binds the listeners, forks and watches the workers,
// turns signals into actions in one single-threaded loop, and never runs request code.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arbiter/pidfile.hpp"
#include "config/config.hpp"
#include "net/listener.hpp"
#include "python/app/wsgi_app.hpp"
#include "python/configuration/hooks.hpp"
#include "util/heartbeat_table.hpp"
#include "util/startup_context.hpp"
#include "util/unique_fd.hpp"

namespace gf::arbiter {

class Arbiter final : public python::ServerView {
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

  // python::ServerView: what the server hooks see as `server`.
  const config::Config& config() const override { return cfg_; }
  pid_t pid() const override { return pid_; }
  std::string proc_name() const override { return proc_name_; }
  int num_workers() const override { return num_workers_; }
  std::string worker_class_str() const override;
  void change_num_workers(int n) override;
  std::vector<python::WorkerInfo> workers() const override;

  void start();
  void open_signal_fd();  // blocks the handled signals and reads them from signal_fd_
  void open_listeners();  // from systemd, from the old master (USR2) or bound from cfg_
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
  // HUP helpers (reload()): each returns false, having logged why, to keep the old state.
  bool read_new_config(config::Config& out, const std::shared_ptr<void>& objects);
  bool rebind_listeners(const config::Config& next);
  bool preload_app(bool at_startup);
  // Listener URLs plus, with --reuse-port, the addresses of `cfg` that workers bind.
  std::string listening_urls(const config::Config& cfg) const;
  void write_pidfile();  // (re)creates --pid for cfg_; throws like Pidfile::create
  void roll_back_reload(const config::Config& attempted, const std::shared_ptr<void>& objects);
  std::vector<net::Listener> bind_worker_sockets();  // --reuse-port, in the forked child

  // The current configuration, owned: HUP replaces it, and workers forked afterwards get the
  // new one (each child keeps its own copy-on-write snapshot).
  config::Config cfg_;
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
  // --reuse-port: the master binds nothing; each worker binds its own SO_REUSEPORT sockets.
  bool per_worker_sockets_ = false;
  std::optional<python::WsgiApp> preloaded_app_;  // --preload: imported here, served by workers
  util::StartupContext startup_;
  std::string master_name_ = "Master";  // "Master.2" until a re-exec child is promoted
  pid_t master_pid_ = 0;  // re-exec child: the old master (GUNICORN_PID) until promotion
  pid_t reexec_pid_ = 0;  // old master: the re-exec child while it lives
};

}  // namespace gf::arbiter
