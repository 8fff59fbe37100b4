// Signal handling inside a worker (reference §3 "Workers"): TERM ends the loop after the
// current request, INT/QUIT exit at once, ABRT (timeout) exits 1, USR1 reopens logs, WINCH is
// ignored. Handlers only set flags and poke a pipe so that poll() wakes up.
#pragma once

#include <csignal>

namespace gf::workers {

class WorkerSignals {
 public:
  // Resets the master's signal setup (mask, handlers) and installs the worker's.
  static void install();
  static bool alive();                // false once TERM (or a quick stop) arrived
  static void stop();                 // same as receiving TERM (max-requests, parent gone)
  static bool take_reopen_request();  // true once per USR1
  static int wakeup_fd();             // readable when a signal arrived; drain with drain_wakeup()
  static void drain_wakeup();
  static void set_busy(bool busy);  // inside a request: INT/QUIT exit immediately
  // With worker_int/worker_abort hooks: INT/QUIT/ABRT no longer exit from the C handler; an idle
  // worker ends its loop (quick_signal() says which signal) and a busy one calls `forward`.
  static void forward_quick_signals(void (*forward)(int));
  static int quick_signal();  // 0, or the INT/QUIT/ABRT that stopped the worker
};

}  // namespace gf::workers
