// Arbiter: signals as events of one signalfd, read in the main loop, and what each one does.
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>

#include "arbiter/arbiter.hpp"
#include "arbiter/signal_names.hpp"
#include "log/error_log.hpp"
#include "python/embed/main_thread_gil.hpp"

namespace gf::arbiter {
namespace {

constexpr int kHandledSignals[] = {SIGHUP,  SIGQUIT, SIGINT,  SIGTERM,  SIGTTIN,
                                   SIGTTOU, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD};

sigset_t handled_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kHandledSignals) sigaddset(&set, sig);
  return set;
}

}  // namespace

void Arbiter::open_signal_fd() {
  // Signals become readable events on one fd; workers reset the mask after fork.
  sigset_t set = handled_signal_set();
  sigprocmask(SIG_BLOCK, &set, nullptr);
  signal_fd_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signal_fd_) throw std::runtime_error(std::string("signalfd: ") + std::strerror(errno));
  ::signal(SIGPIPE, SIG_IGN);
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
      if (cfg_.get(config::settings::daemon)) {
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

}  // namespace gf::arbiter
