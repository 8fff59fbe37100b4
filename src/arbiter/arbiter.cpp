#include "arbiter/arbiter.hpp"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <utility>

#include "arbiter/daemonize.hpp"
#include "arbiter/reexec.hpp"
#include "arbiter/server_config.hpp"
#include "arbiter/signal_names.hpp"
#include "arbiter/systemd_notify.hpp"
#include "arbiter/worker_files.hpp"
#include "config/derived_settings.hpp"
#include "log/error_log.hpp"
#include "net/bind_address.hpp"
#include "net/inherited_listeners.hpp"
#include "net/systemd_listeners.hpp"
#include "python/app/wsgi_app.hpp"
#include "python/configuration/config_objects.hpp"
#include "python/configuration/hooks.hpp"
#include "python/embed/app_environment.hpp"
#include "python/embed/interpreter.hpp"
#include "python/embed/main_thread_gil.hpp"
#include "python/embed/master_python.hpp"
#include "util/process_title.hpp"
#include "workers/worker_context.hpp"
#include "workers/worker_table.hpp"

namespace gf::arbiter {
namespace {
constexpr int kHandledSignals[] = {SIGHUP,  SIGQUIT, SIGINT,  SIGTERM,  SIGTTIN,
                                   SIGTTOU, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD};
constexpr int kLoopTimeoutMs = 1000;
constexpr int64_t kNsPerSecond = 1'000'000'000;

sigset_t handled_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kHandledSignals) sigaddset(&set, sig);
  return set;
}

std::vector<net::BindAddress> bind_addresses(const config::Config& cfg) {
  std::vector<net::BindAddress> out;
  for (const auto& spec : cfg.get_list("bind")) out.push_back(net::BindAddress::parse(spec));
  return out;
}

// With --reuse-port each worker binds the TCP addresses itself; UNIX sockets cannot be shared
// that way (SO_REUSEPORT is TCP/UDP only, and each bind would unlink the previous worker's file),
// and fd:// sockets exist once, so the master keeps binding those.
bool bound_by_workers(const config::Config& cfg, const net::BindAddress& address) {
  return cfg.get_bool("reuse_port") && address.kind == net::BindAddress::Kind::kTcp;
}

// Makes the process environment the one `cfg` runs in: its raw_env (also in os.environ when
// Python runs here) and its --chdir, where relative log and socket paths resolve.
void enter_environment(const config::Config& cfg) {
  if (python::Interpreter::initialized()) {
    python::AppEnvironment::apply(cfg);
    return;
  }
  python::AppEnvironment::set_env_vars(cfg);
  if (::chdir(cfg.get_str("chdir").c_str()) != 0)
    throw config::ConfigError("--chdir: can't chdir to '" + cfg.get_str("chdir") + "'");
}
}  // namespace

Arbiter::Arbiter(const config::Config& cfg, util::StartupContext startup)
    : cfg_(cfg), startup_(std::move(startup)) {
  proc_name_ = config::effective_proc_name(cfg);
  num_workers_ = static_cast<int>(std::max<int64_t>(1, cfg.get_int("workers")));
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
  if (cfg_.get_bool("daemon")) {
    // systemd would watch the parent that exits right away, not the daemon.
    if (notify_socket_set())
      std::fprintf(stderr,
                   "Warning: you shouldn't specify `daemon = True` when launching by systemd "
                   "with `Type = notify`\n");
    daemonize(cfg_.get_bool("enable_stdio_inheritance"));
    log.reopen();  // --capture-output: stdout/stderr were just pointed at /dev/null
  }
  pid_ = ::getpid();
  // Gunicorn sets num_workers while building its arbiter: the hook's first call, old=None.
  python::Hooks::nworkers_changed(*this, num_workers_, std::nullopt);
  // Gunicorn imports a preloaded app while it sets the arbiter up, before anything is logged
  // or bound; a failure there ends the master.
  if (cfg_.get_bool("preload_app")) preload_app(/*at_startup=*/true);
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
  if (auto dir = cfg_.get_opt_str("worker_tmp_dir"); dir && !std::filesystem::is_directory(*dir))
    throw StartupError(*dir + " doesn't exist. Can't create workertmp.");
  write_pidfile();
  python::Hooks::on_starting(*this);

  // Signals become readable events on one fd; workers reset the mask after fork.
  sigset_t set = handled_signal_set();
  sigprocmask(SIG_BLOCK, &set, nullptr);
  signal_fd_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signal_fd_) throw std::runtime_error(std::string("signalfd: ") + std::strerror(errno));
  ::signal(SIGPIPE, SIG_IGN);

  const char* inherited = std::getenv("GUNICORN_FD");
  if (const int passed = net::take_systemd_listen_fds(); passed > 0) {
    systemd_ = true;  // the .socket unit owns these: never unlinked at exit
    listeners_ = net::adopt_systemd_listeners(passed, static_cast<int>(cfg_.get_int("backlog")));
  } else if (inherited != nullptr && master_pid_ != 0) {
    // The old master's sockets: binding anew would fail (or, with SO_REUSEPORT, split traffic).
    // Empty with --reuse-port and TCP addresses only: the old master's workers bound them all.
    if (*inherited != '\0')
      listeners_ =
          net::adopt_all(net::parse_fd_list(inherited), static_cast<int>(cfg_.get_int("backlog")));
    ::unsetenv("GUNICORN_FD");  // the workers and the app must not take these fds for theirs
  } else {
    std::vector<net::BindAddress> own;
    for (auto& address : bind_addresses(cfg_))
      if (!bound_by_workers(cfg_, address)) own.push_back(std::move(address));
    listeners_ = net::Listener::bind_all(own, static_cast<int>(cfg_.get_int("backlog")),
                                         static_cast<mode_t>(cfg_.get_int("umask")));
  }
  // The TCP addresses of a re-exec child's argv are bound by its workers too (the old master's
  // workers bound theirs, so GUNICORN_FD carries none of them); systemd passes every socket.
  per_worker_sockets_ = cfg_.get_bool("reuse_port") && !systemd_;
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

std::vector<int> Arbiter::wait_for_signals(int timeout_ms) {
  std::vector<int> signals;
  pollfd p{signal_fd_.get(), POLLIN, 0};
  // Threads that hooks or a preloaded app started in the master (a metrics server started in
  // when_ready, say) run while the master sleeps, as under Gunicorn's Python master. A no-op
  // when the master never started Python.
  python::MainThreadGil::release();
  const int ready = ::poll(&p, 1, timeout_ms);
  python::MainThreadGil::acquire();
  if (ready <= 0) return signals;
  signalfd_siginfo info;
  while (::read(signal_fd_.get(), &info, sizeof info) == sizeof info) {
    int sig = static_cast<int>(info.ssi_signo);
    // Coalesce SIGCHLD: one reap pass collects every exited child.
    if (sig == SIGCHLD && std::find(signals.begin(), signals.end(), SIGCHLD) != signals.end())
      continue;
    signals.push_back(sig);
  }
  return signals;
}

void Arbiter::handle_signal(int sig) {
  auto& log = log::ErrorLog::get();
  if (sig == SIGCHLD) {
    log.debug("Handling signal: chld");
    reap_workers();
    return;
  }
  log.info("Handling signal: {}", signal_short_name(sig));
  switch (sig) {
    case SIGHUP:
      log.info("Hang up: {}", master_name_);
      reload();
      break;
    case SIGTERM:
      halt(0);  // graceful
      break;
    case SIGINT:
    case SIGQUIT:
      halt(0, "", /*graceful=*/false);
      break;
    case SIGTTIN:
      set_num_workers(num_workers_ + 1);
      manage_workers();
      break;
    case SIGTTOU:
      if (num_workers_ > 1) set_num_workers(num_workers_ - 1);
      manage_workers();
      break;
    case SIGUSR1:
      log.reopen();
      kill_workers(SIGUSR1);
      break;
    case SIGUSR2:
      reexec();
      break;
    case SIGWINCH:
      // Part of the binary-upgrade dance: a daemonized old master can drop its workers while
      // it keeps its listeners. In the foreground WINCH is just a terminal resize.
      if (cfg_.get_bool("daemon")) {
        log.info("graceful stop of workers");
        set_num_workers(0);
        kill_workers(SIGTERM);
      } else {
        log.debug("SIGWINCH ignored. Not daemonized");
      }
      break;
    default:
      break;
  }
}

void Arbiter::reload() {
  auto& log = log::ErrorLog::get();
  // Type=notify-reload units need the monotonic time of the reload start.
  sd_notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(util::monotonic_ns() / 1000));
  // Everything that can fail comes first, so a bad config file or an address that cannot be
  // bound leaves the running server exactly as it was.
  config::Config next;
  // Reading the config file replaces its Python objects (hooks): kept for a rejected reload.
  const std::shared_ptr<void> objects = python::ConfigObjects::save();
  if (!read_new_config(next, objects)) {
    sd_notify("READY=1");
    return;
  }
  if (!rebind_listeners(next)) {
    log.error("Reload failed; keeping the current configuration");
    roll_back_reload(next, objects);
    sd_notify("READY=1");
    return;
  }
  const config::Config previous = std::exchange(cfg_, std::move(next));

  // Like Gunicorn 26.1: a log setup that fails leaves the previous one in place.
  try {
    configure_error_log(cfg_);
  } catch (const std::exception& e) {
    log.error("Invalid log configuration, keeping the previous one: {}", e.what());
    try {
      configure_error_log(previous);
    } catch (const std::exception&) {
    }
  }
  log.reopen();

  if (cfg_.get_bool("preload_app"))
    preload_app(/*at_startup=*/false);
  else
    preloaded_app_.reset();
  hand_files_to_workers(cfg_, listeners_);

  python::Hooks::on_reload(*this);

  try {
    write_pidfile();  // the old file goes first: the path may have changed with the settings
  } catch (const std::exception& e) {
    pidfile_.reset();
    log.error("{}", e.what());
  }
  proc_name_ = config::effective_proc_name(cfg_) + (master_pid_ != 0 ? ".2" : "");
  util::set_process_title("greenfork: master [" + proc_name_ + "]");

  // Gunicorn re-reads the settings here, so a worker count changed by TTIN/TTOU goes back to
  // --workers.
  set_num_workers(static_cast<int>(std::max<int64_t>(1, cfg_.get_int("workers"))));
  // New workers first, then manage_workers() retires the oldest surplus ones gracefully.
  for (int i = 0; i < num_workers_; ++i) spawn_worker();
  manage_workers();
  sd_notify("READY=1");
}

bool Arbiter::read_new_config(config::Config& out, const std::shared_ptr<void>& objects) {
  auto& log = log::ErrorLog::get();
  // As in Gunicorn, raw_env is undone first: env-derived defaults and the config file must see
  // the environment the server was started with.
  python::restore_environment(cfg_, startup_.env);
  // Relative paths on the command line (-c conf.py, --chdir app/) mean what they meant at
  // start-up.
  if (::chdir(startup_.cwd.c_str()) != 0)
    log.warning("Can't chdir to the start-up directory '{}': {}", startup_.cwd,
                std::strerror(errno));
  std::vector<std::string> warnings;
  try {
    out = read_server_config(startup_.argv, warnings);
    enter_environment(out);
  } catch (const std::exception& e) {
    log.error("Reload failed; keeping the current configuration: {}", e.what());
    roll_back_reload(out, objects);
    return false;
  }
  for (const auto& warning : warnings) log.warning("{}", warning);
  return true;
}

// Undoes what reading `attempted` changed: its hook objects, raw_env and working directory.
void Arbiter::roll_back_reload(const config::Config& attempted,
                               const std::shared_ptr<void>& objects) {
  python::ConfigObjects::restore(objects);
  try {
    python::restore_environment(attempted, startup_.env);
    enter_environment(cfg_);
  } catch (const std::exception& e) {
    log::ErrorLog::get().error("{}", e.what());
  }
}

bool Arbiter::rebind_listeners(const config::Config& next) {
  // Unchanged addresses keep their sockets, inherited and systemd ones included.
  if (next.get_list("bind") == cfg_.get_list("bind") &&
      next.get_bool("reuse_port") == cfg_.get_bool("reuse_port"))
    return true;
  // An address that stays keeps its socket: closing and binding it again would refuse
  // connections in between (and fail while the old workers still listen on it).
  std::vector<net::Listener> kept;
  std::vector<net::BindAddress> fresh;
  std::vector<bool> reused(listeners_.size(), false);
  std::vector<std::pair<size_t, bool>> order;  // index into kept (true) or fresh (false)
  for (auto& address : bind_addresses(next)) {
    if (bound_by_workers(next, address)) continue;
    size_t i = 0;
    while (i < listeners_.size() && (reused[i] || listeners_[i].address().url() != address.url()))
      ++i;
    if (i < listeners_.size()) {
      reused[i] = true;
      order.emplace_back(i, true);
    } else {
      order.emplace_back(fresh.size(), false);
      fresh.push_back(std::move(address));
    }
  }
  std::vector<net::Listener> bound;
  try {
    net::BindOptions options;
    options.backlog = static_cast<int>(next.get_int("backlog"));
    options.unix_umask = static_cast<mode_t>(next.get_int("umask"));
    options.retries = 1;  // the master must not stall while the old workers keep serving
    bound = net::Listener::bind_all(fresh, options);
  } catch (const std::exception& e) {
    log::ErrorLog::get().error("Can't bind the new addresses: {}", e.what());
    return false;
  }
  std::vector<net::Listener> next_listeners;
  for (auto [index, is_kept] : order)
    next_listeners.push_back(std::move(is_kept ? listeners_[index] : bound[index]));
  // The old workers keep their copies of the dropped sockets until they are retired.
  const bool unlink = may_unlink_sockets();
  for (size_t i = 0; i < listeners_.size(); ++i) {
    if (reused[i]) continue;
    const bool ours = listeners_[i].address().kind != net::BindAddress::Kind::kFd;
    unlink&& ours ? listeners_[i].close_and_unlink() : listeners_[i].close();
  }
  listeners_ = std::move(next_listeners);
  per_worker_sockets_ = next.get_bool("reuse_port") && !systemd_;
  log::ErrorLog::get().info("Listening at: {} ({})", listening_urls(next), pid_);
  return true;
}

bool Arbiter::preload_app(bool at_startup) {
  try {
    python::Interpreter::initialize(cfg_);
    python::WsgiApp app = python::WsgiApp::load(cfg_);
    preloaded_app_.reset();
    preloaded_app_.emplace(std::move(app));
    return true;
  } catch (const std::exception& e) {
    if (at_startup) throw StartupError(e.what());
    // Gunicorn's master would die here; the workers already running serve on, and new ones
    // import the app themselves (or keep the previously preloaded one).
    log::ErrorLog::get().error("Reloading the preloaded app failed: {}", e.what());
    return false;
  }
}

void Arbiter::write_pidfile() {
  pidfile_.reset();  // ~Pidfile removes the previous file if it is still ours
  auto path = cfg_.get_opt_str("pidfile");
  if (!path) return;
  // A re-exec child writes "<pidfile>.2" until it is promoted; the old master keeps the name.
  pidfile_.emplace(master_pid_ != 0 ? *path + ".2" : *path);
  pidfile_->create(pid_);
}

std::string Arbiter::listening_urls(const config::Config& cfg) const {
  std::string urls;
  auto add = [&urls](const std::string& url) { urls += (urls.empty() ? "" : ",") + url; };
  for (const auto& l : listeners_) add(l.url());
  // Bound later by each worker, so the configured text (a port 0 stays 0).
  if (per_worker_sockets_)
    for (const auto& address : bind_addresses(cfg))
      if (bound_by_workers(cfg, address)) add(address.url());
  return urls;
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

void Arbiter::manage_workers() {
  static std::mt19937 rng{std::random_device{}()};
  while (static_cast<int>(workers_.size()) < num_workers_ && !exit_status_) {
    spawn_worker();
    // Gunicorn staggers forks by a random 0-100 ms so workers don't all boot in lockstep.
    if (static_cast<int>(workers_.size()) < num_workers_)
      ::poll(nullptr, 0, static_cast<int>(rng() % 100));
  }
  if (static_cast<int>(workers_.size()) > num_workers_) {
    std::vector<std::pair<int, pid_t>> by_age;
    for (const auto& [pid, w] : workers_) by_age.emplace_back(w.age, pid);
    std::sort(by_age.begin(), by_age.end());
    size_t excess = workers_.size() - static_cast<size_t>(num_workers_);
    for (size_t i = 0; i < excess; ++i) kill_worker(by_age[i].second, SIGTERM);
  }
}

void Arbiter::spawn_worker() {
  auto slot = heartbeat_.acquire();
  if (!slot) {
    log::ErrorLog::get().error("Too many workers; not spawning another");
    return;
  }
  const int age = ++last_age_;
  python::Hooks::pre_fork(*this, python::WorkerInfo{0, age});
  // A config file started Python in this process: CPython's locks must be in a known state on
  // both sides of the fork (all no-ops when the master never started Python).
  // Objects the preloaded app made stay out of the workers' collections, so the pages holding
  // them stay shared with the master (copy-on-write) instead of being touched and copied.
  if (preloaded_app_) python::freeze_gc();
  python::Interpreter::before_fork();
  pid_t pid = ::fork();
  if (pid != 0) python::Interpreter::after_fork_parent();
  if (pid < 0) {
    heartbeat_.release(*slot);
    log::ErrorLog::get().error("fork() failed: {}", std::strerror(errno));
    return;
  }
  if (pid == 0) {
    python::Interpreter::after_fork_child();
    signal_fd_.reset();
    int status = 255;
    try {
      std::vector<net::Listener> own;
      if (per_worker_sockets_) own = bind_worker_sockets();
      workers::WorkerContext ctx{
          cfg_, per_worker_sockets_ ? own : listeners_, heartbeat_, *slot, age, pid_, proc_name_};
      if (preloaded_app_) ctx.preloaded_app = &*preloaded_app_;
      status = workers::run_worker_process(ctx);
    } catch (const net::BindError&) {
      // --reuse-port: this worker could not bind (already logged); like an app that cannot
      // boot, retrying in a new worker would fail the same way.
      status = workers::kWorkerBootError;
    } catch (const std::exception& e) {
      log::ErrorLog::get().error("Exception in worker process: {}", e.what());
    }
    ::fflush(nullptr);
    ::_exit(status);
  }
  workers_[pid] = Worker{age, *slot, false};
  python::Hooks::after_fork_parent(python::WorkerInfo{pid, age});
}

void Arbiter::murder_workers() {
  const int64_t timeout = cfg_.get_int("timeout");
  if (timeout <= 0) return;
  for (auto& [pid, worker] : workers_) {
    if (heartbeat_.age_ns(worker.slot) <= timeout * kNsPerSecond) continue;
    if (!worker.aborted) {
      log::ErrorLog::get().critical("WORKER TIMEOUT (pid:{})", pid);
      worker.aborted = true;
      kill_worker(pid, SIGABRT);
    } else {
      kill_worker(pid, SIGKILL);
    }
  }
}

void Arbiter::reap_workers() {
  auto& log = log::ErrorLog::get();
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    auto it = workers_.find(pid);
    if (it == workers_.end()) {
      if (pid == reexec_pid_) {
        // The upgrade failed (or the new master was stopped): USR2 may be tried again.
        reexec_pid_ = 0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
          log.warning("Re-exec child (pid:{}) exited before being promoted", pid);
      }
      continue;  // otherwise not ours (e.g. an orphan when we are PID 1)
    }
    const python::WorkerInfo exited{pid, it->second.age};
    heartbeat_.release(it->second.slot);
    workers_.erase(it);
    if (WIFEXITED(status)) {
      int code = WEXITSTATUS(status);
      if (code != 0) log.error("Worker (pid:{}) exited with code {}.", pid, code);
      if (code == workers::kWorkerBootError) {
        halt(code, "Worker failed to boot.");
        return;
      }
      if (code == workers::kAppLoadError) {
        halt(code, "App failed to load.");
        return;
      }
    } else if (WIFSIGNALED(status)) {
      int sig = WTERMSIG(status);
      if (sig == SIGKILL)
        log.error("Worker (pid:{}) was sent SIGKILL! Perhaps out of memory?", pid);
      else if (sig == SIGTERM)
        log.info("Worker (pid:{}) was sent SIGTERM!", pid);
      else
        log.warning("Worker (pid:{}) was sent {}!", pid, signal_full_name(sig));
    }
    python::Hooks::child_exit(*this, exited);
  }
}

void Arbiter::kill_worker(pid_t pid, int sig) {
  if (::kill(pid, sig) != 0 && errno == ESRCH) {
    auto it = workers_.find(pid);
    if (it != workers_.end()) {
      const python::WorkerInfo gone{pid, it->second.age};
      heartbeat_.release(it->second.slot);
      workers_.erase(it);
      python::Hooks::worker_exit(*this, gone);  // as Gunicorn does when kill() finds no process
    }
  }
}

void Arbiter::kill_workers(int sig) {
  std::vector<pid_t> pids;
  for (const auto& [pid, w] : workers_) pids.push_back(pid);
  for (pid_t pid : pids) kill_worker(pid, sig);
}

void Arbiter::stop(bool graceful) {
  const bool unlink = may_unlink_sockets();
  for (auto& l : listeners_) unlink ? l.close_and_unlink() : l.close();
  listeners_.clear();
  kill_workers(graceful ? SIGTERM : SIGQUIT);
  int64_t deadline = util::monotonic_ns() + cfg_.get_int("graceful_timeout") * kNsPerSecond;
  bool quick = !graceful;
  while (!workers_.empty()) {
    int64_t left_ms = (deadline - util::monotonic_ns()) / 1'000'000;
    if (left_ms <= 0) break;
    for (int sig : wait_for_signals(static_cast<int>(std::min<int64_t>(left_ms, 100)))) {
      // INT/QUIT during a graceful stop switches to a quick one with a 2 s allowance.
      if (!quick && (sig == SIGINT || sig == SIGQUIT)) {
        quick = true;
        kill_workers(SIGQUIT);
        deadline = std::min(deadline, util::monotonic_ns() + 2 * kNsPerSecond);
      }
    }
    reap_workers();  // exit_status_ is set by now, so a boot-error code cannot halt twice
  }
  kill_workers(SIGKILL);
  for (const auto& [pid, w] : workers_) ::waitpid(pid, nullptr, 0);
  workers_.clear();
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
      pidfile_->rename(*cfg_.get_opt_str("pidfile"));
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

std::vector<net::Listener> Arbiter::bind_worker_sockets() {
  // In the child: its own SO_REUSEPORT sockets for the TCP addresses, plus the master's UNIX
  // and fd:// listeners (this process's copies, moved out of the master's state it inherited).
  std::vector<net::BindAddress> addresses;
  for (auto& address : bind_addresses(cfg_))
    if (bound_by_workers(cfg_, address)) addresses.push_back(std::move(address));
  net::BindOptions options;
  options.backlog = static_cast<int>(cfg_.get_int("backlog"));
  options.unix_umask = static_cast<mode_t>(cfg_.get_int("umask"));
  options.reuse_port = true;
  std::vector<net::Listener> own = net::Listener::bind_all(addresses, options);
  for (auto& l : listeners_) own.push_back(std::move(l));
  listeners_.clear();
  return own;
}

}  // namespace gf::arbiter
