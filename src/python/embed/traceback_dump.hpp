// The Python stacks of every thread, written to the error log when a worker is aborted (the
// master's WORKER TIMEOUT), so a stuck request shows where it was stuck (gunicorn#185).
#pragma once

#include <string_view>

namespace gf::python {

class TracebackDump {
 public:
  // Needs the GIL. Enables CPython's faulthandler on `fd` (all threads) and takes its SIGABRT
  // handler over so that write_from_signal() decides when it runs; the SIGABRT disposition in
  // place before the call is kept. `log_line`: precede the dump with an error-log line.
  // faulthandler keeps the descriptor number, which ErrorLog::reopen() never changes.
  static void install(int fd, bool log_line);

  // Async-signal-safe; call it from the SIGABRT handler. Writes the log line and the stacks of
  // all threads, then returns (the caller exits). A no-op before install().
  static void write_from_signal(int sig);

  // Text written after the stacks (an event loop's pending tasks, prepared ahead while the loop
  // is blocked, since a signal handler cannot run Python). Any thread; empty clears it. Kept to
  // 64 KiB.
  static void set_epilogue(std::string_view text);
};

}  // namespace gf::python
