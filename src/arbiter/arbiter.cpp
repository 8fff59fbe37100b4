// Arbiter: start-up, the main loop, stopping, USR2 upgrades and what hooks see as `server`.
// The other jobs of the master have their own files: arbiter_{signals,listeners,workers,reload}.
#include "arbiter/arbiter.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <utility>

#include "arbiter/daemonize.hpp"
#include "arbiter/reexec.hpp"
#include "arbiter/systemd_notify.hpp"
#include "arbiter/worker_files.hpp"
#include "config/derived_settings.hpp"
#include "log/error_log.hpp"
#include "python/configuration/hooks.hpp"
#include "util/process_title.hpp"
#include "workers/worker_table.hpp"

namespace gf::arbiter {
namespace {
constexpr int kLoopTimeoutMs = 1000;
}  // namespace

Arbiter::Arbiter(const config::Config& cfg, util::StartupContext startup)
    : cfg_(cfg), startup_(std::move(startup)) {
  proc_name_ = config::effective_proc_name(cfg);
  num_workers_ = static_cast<int>(std::max<int64_t>(1, cfg.get(config::settings::workers)));
}

int Arbiter::run() {
  try {
    start();
  } catch (const StartupError& e) {
    std::fprintf(stderr, "Error: %s\n", e.what());  // Gunicorn prints these, not logs them
    return 1;
  } catch (const std::exception& e) {
    log::ErrorLog::get().error("{}", e.what());
    return 1;
  }
  main_loop();
  return exit_status_.value_or(0);
}

void Arbiter::start() {
  auto& log = log::ErrorLog::get();
  if (cfg_.get(config::settings::daemon)) {
    // systemd would watch the parent that exits right away, not the daemon.
    if (notify_socket_set())
      std::fprintf(stderr,
                   "Warning: you shouldn't specify `daemon = True` when launching by systemd "
                   "with `Type = notify`\n");
    daemonize(cfg_.get(config::settings::enable_stdio_inheritance));
    log.reopen();  // --capture-output: stdout/stderr were just pointed at /dev/null
  }
  pid_ = ::getpid();
  // Gunicorn sets num_workers while building its arbiter: the hook's first call, old=None.
  python::Hooks::nworkers_changed(*this, num_workers_, std::nullopt);
  // Gunicorn imports a preloaded app while it sets the arbiter up, before anything is logged
  // or bound; a failure there ends the master.
  if (cfg_.get(config::settings::preload_app)) preload_app(/*at_startup=*/true);
  log.info("Starting greenfork {}", GREENFORK_VERSION);
  // Gunicorn's arbiter exports this; some libraries sniff it to detect the server.
  ::setenv("SERVER_SOFTWARE", "greenfork/" GREENFORK_VERSION, 1);
  // A USR2 re-exec child names itself ".2" until the old master exits (maybe_promote()).
  if (const char* old_master = std::getenv("GUNICORN_PID")) {
    master_pid_ = static_cast<pid_t>(std::atol(old_master));
    if (master_pid_ <= 0)
      throw std::runtime_error(std::string("invalid GUNICORN_PID: ") + old_master);
    proc_name_ += ".2";
    master_name_ = "Master.2";
  }

  // Gunicorn fails on a missing --worker-tmp-dir when it forks; our heartbeats need no file,
  // but the setting is still checked, and before anything is bound.
  if (auto dir = cfg_.get(config::settings::worker_tmp_dir);
      dir && !std::filesystem::is_directory(*dir))
    throw StartupError(*dir + " doesn't exist. Can't create workertmp.");
  write_pidfile();
  python::Hooks::on_starting(*this);

  open_signal_fd();
  open_listeners();
  hand_files_to_workers(cfg_, listeners_);
  log.info("Listening at: {} ({})", listening_urls(cfg_), pid_);
  // Gunicorn's worker_class_str; a class greenfork does not implement was reported at start-up
  // and runs sync.
  log.info("Using worker: {}", workers::find_worker_type(cfg_) == &workers::worker_type_to_run(cfg_)
                                   ? workers::worker_class_str(cfg_)
                                   : "sync");
  util::set_process_title("greenfork: master [" + proc_name_ + "]");
  python::Hooks::when_ready(*this);
}

std::string Arbiter::worker_class_str() const {
  return workers::worker_class_str(cfg_);
}

void Arbiter::main_loop() {
  manage_workers();
  sd_notify("READY=1\nSTATUS=greenfork arbiter booted");
  while (!exit_status_) {
    maybe_promote();
    for (int sig : wait_for_signals(kLoopTimeoutMs)) {
      handle_signal(sig);
      if (exit_status_) return;
    }
    murder_workers();
    manage_workers();
  }
}

void Arbiter::set_num_workers(int n) {
  const int old = num_workers_;
  num_workers_ = n;
  // Gunicorn calls it on every assignment, also when the value stays the same.
  python::Hooks::nworkers_changed(*this, n, old);
}

void Arbiter::change_num_workers(int n) {
  set_num_workers(n);  // manage_workers() acts on it in the next loop round
}

std::vector<python::WorkerInfo> Arbiter::workers() const {
  std::vector<python::WorkerInfo> out;
  for (const auto& [pid, w] : workers_) out.push_back({pid, w.age});
  return out;
}

void Arbiter::write_pidfile() {
  pidfile_.reset();  // ~Pidfile removes the previous file if it is still ours
  auto path = cfg_.get(config::settings::pidfile);
  if (!path) return;
  // A re-exec child writes "<pidfile>.2" until it is promoted; the old master keeps the name.
  pidfile_.emplace(master_pid_ != 0 ? *path + ".2" : *path);
  pidfile_->create(pid_);
}

void Arbiter::halt(int status, const std::string& reason, bool graceful) {
  if (exit_status_) return;
  exit_status_ = status;
  sd_notify("STOPPING=1");
  stop(graceful);
  if (pidfile_) pidfile_->unlink();
  auto& log = log::ErrorLog::get();
  const log::Level level = status == 0 ? log::Level::kInfo : log::Level::kError;
  log.log(level, "Shutting down: {}", master_name_);
  if (!reason.empty()) log.log(level, "Reason: {}", reason);
  python::Hooks::on_exit(*this);
}

void Arbiter::reexec() {
  auto& log = log::ErrorLog::get();
  if (reexec_pid_ != 0) {
    log.warning("USR2 signal ignored. Child exists.");
    return;
  }
  if (master_pid_ != 0) {
    log.warning("USR2 signal ignored. Parent exists.");
    return;
  }
  ReexecPlan plan;
  plan.old_master = pid_;
  for (const auto& l : listeners_) plan.listener_fds.push_back(l.fd());
  plan.systemd = systemd_;
  plan.pre_exec = [this] { python::Hooks::pre_exec(*this); };  // in the child, before exec
  if (pid_t pid = spawn_reexec(startup_, plan); pid > 0) reexec_pid_ = pid;
}

void Arbiter::maybe_promote() {
  // The old master exited (QUIT/TERM after USR2): we were re-parented, so we are the master now.
  if (master_pid_ == 0 || ::getppid() == master_pid_) return;
  log::ErrorLog::get().info("Master has been promoted.");
  master_name_ = "Master";
  master_pid_ = 0;
  proc_name_ = config::effective_proc_name(cfg_);
  ::unsetenv("GUNICORN_PID");
  if (pidfile_) {
    try {
      pidfile_->rename(*cfg_.get(config::settings::pidfile));
    } catch (const std::exception& e) {
      log::ErrorLog::get().error("{}", e.what());
    }
  }
  util::set_process_title("greenfork: master [" + proc_name_ + "]");
}

bool Arbiter::may_unlink_sockets() const {
  // The socket files stay while another master uses the same sockets: our re-exec child, or
  // the old master when we are the unpromoted child.
  // A systemd .socket unit owns its files too. (--reuse-port workers bind TCP only: no files.)
  return !systemd_ && reexec_pid_ == 0 && master_pid_ == 0;
}

}  // namespace gf::arbiter
