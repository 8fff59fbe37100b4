// Arbiter: the workers - forked to match the wanted count, killed when their heartbeat is
// too old, reaped when they exit, and stopped with the master.
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <random>
#include <utility>
#include <vector>

#include "arbiter/arbiter.hpp"
#include "arbiter/signal_names.hpp"
#include "log/error_log.hpp"
#include "python/configuration/hooks.hpp"
#include "python/embed/interpreter.hpp"
#include "python/embed/master_python.hpp"
#include "workers/worker_context.hpp"

namespace gf::arbiter {
namespace {
constexpr int64_t kNsPerSecond = 1'000'000'000;
}  // namespace

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
  const int64_t timeout = cfg_.get(config::settings::timeout);
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
  int64_t deadline =
      util::monotonic_ns() + cfg_.get(config::settings::graceful_timeout) * kNsPerSecond;
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

}  // namespace gf::arbiter
