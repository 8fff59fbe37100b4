// Signal masks for helper threads a worker starts (its request pool, the code reloader): every
// process-directed signal (TERM, INT, HUP, USR1, ...) must reach the main thread, which owns the
// handlers' follow-up work, but a thread's own faults (SEGV, BUS, FPE, ILL, ABRT from abort())
// must stay deliverable to it, or a crash would kill the process without its traceback.
#pragma once

#include <signal.h>

namespace gf::util {

// The mask to start a helper thread with (set it around std::thread's constructor).
inline sigset_t helper_thread_signal_mask() {
  sigset_t mask;
  sigfillset(&mask);
  for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS})
    sigdelset(&mask, fault);
  return mask;
}

}  // namespace gf::util
