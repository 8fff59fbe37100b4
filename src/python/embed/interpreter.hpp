// The embedded interpreter of this process: Py_Initialize with the right sys.path, virtualenv
// and environment, fork hooks, and the exit handlers the app registered.
#pragma once

#include "config/config.hpp"

namespace gf::python {

// The interpreter for this process. initialize() is idempotent; after it returns the calling
// thread holds the GIL. Errors (virtualenv with another Python version, ...) throw
// config::ConfigError with a clear one-line message.
class Interpreter {
 public:
  static void initialize(const config::Config& cfg);
  // Checks, without starting Python, what would make initialize() fail in every worker (a
  // virtualenv made with another Python version); throws config::ConfigError. Run by the master.
  static void check_environment(const config::Config& cfg);
  static bool initialized();
  static void before_fork();        // PyOS_BeforeFork
  static void after_fork_parent();  // PyOS_AfterFork_Parent
  static void after_fork_child();   // PyOS_AfterFork_Child
  // Runs the app's atexit callbacks and flushes sys.stdout/stderr; call with the GIL held just
  // before the process exits.
  static void run_exit_handlers();
};

}  // namespace gf::python
