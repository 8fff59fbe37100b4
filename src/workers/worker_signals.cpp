#include "workers/worker_signals.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <initializer_list>

#include "python/embed/traceback_dump.hpp"

namespace gf::workers {
namespace {
volatile sig_atomic_t g_alive = 1;
volatile sig_atomic_t g_reopen = 0;
volatile sig_atomic_t g_busy = 0;
volatile sig_atomic_t g_quick_signal = 0;  // INT, QUIT or ABRT awaiting its hook
// Set when worker_int/worker_abort hooks exist: hands a signal that arrives mid-request to the
// interpreter (which runs the hook in the main thread and ends the process), see hooks.hpp.
void (*volatile g_forward)(int) = nullptr;
int g_pipe[2] = {-1, -1};

void poke() {
  int saved = errno;
  char c = 0;
  [[maybe_unused]] ssize_t r = ::write(g_pipe[1], &c, 1);
  errno = saved;
}

void on_term(int) {
  g_alive = 0;
  poke();
}

void on_quit(int sig) {
  g_alive = 0;
  g_quick_signal = sig;  // the loop runs worker_int when it ends
  if (g_forward != nullptr) {
    if (g_busy) g_forward(sig);
    poke();  // idle: the loop ends and runs the hook itself
    return;
  }
  // In the middle of a request the app may block for long: a quick stop does not wait for it.
  if (g_busy) _exit(0);
  poke();
}

void on_abort(int sig) {
  g_alive = 0;
  // The stacks first: they are why the master aborts a stuck worker, and its SIGKILL follows a
  // second later, so nothing that might block (Python code, locks) may run before them.
  python::TracebackDump::write_from_signal(sig);
  if (g_forward != nullptr) {  // worker_abort(worker), then exit 1, from Python's side
    g_quick_signal = sig;
    if (g_busy) g_forward(sig);
    poke();
    return;
  }
  _exit(1);
}

void on_usr1(int) {
  g_reopen = 1;
  poke();
}

void set_handler(int sig, void (*fn)(int), int flags) {
  struct sigaction sa {};
  sa.sa_handler = fn;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = flags;
  sigaction(sig, &sa, nullptr);
}
}  // namespace

void WorkerSignals::install() {
  if (g_pipe[0] < 0 && ::pipe2(g_pipe, O_NONBLOCK | O_CLOEXEC) != 0) g_pipe[0] = g_pipe[1] = -1;
  for (int sig : {SIGHUP, SIGUSR2, SIGCHLD}) set_handler(sig, SIG_DFL, 0);
  set_handler(SIGPIPE, SIG_IGN, 0);
  set_handler(SIGWINCH, SIG_IGN, 0);
  // TERM and USR1 restart interrupted calls (Gunicorn's siginterrupt(sig, False)).
  set_handler(SIGTERM, on_term, SA_RESTART);
  set_handler(SIGUSR1, on_usr1, SA_RESTART);
  set_handler(SIGINT, on_quit, 0);
  set_handler(SIGQUIT, on_quit, 0);
  set_handler(SIGABRT, on_abort, 0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

bool WorkerSignals::alive() {
  return g_alive != 0;
}
void WorkerSignals::stop() {
  g_alive = 0;
}

bool WorkerSignals::take_reopen_request() {
  if (!g_reopen) return false;
  g_reopen = 0;
  return true;
}

int WorkerSignals::wakeup_fd() {
  return g_pipe[0];
}

void WorkerSignals::drain_wakeup() {
  char buf[64];
  while (::read(g_pipe[0], buf, sizeof buf) > 0) {
  }
}

void WorkerSignals::forward_quick_signals(void (*forward)(int)) {
  g_forward = forward;
}

int WorkerSignals::quick_signal() {
  return g_quick_signal;
}

void WorkerSignals::set_busy(bool busy) {
  g_busy = busy ? 1 : 0;
}

}  // namespace gf::workers
