// The per-process state behind the server hooks: the views the hook objects read, and the
// namespace hooks_bridge.py runs in, where hook callables are resolved and called.
#pragma once

#include <Python.h>

#include <csignal>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "python/configuration/hooks.hpp"
#include "python/embed/py_ref.hpp"

namespace gf::python::hooks_bridge {

// One per process, never destroyed (see ConfigObjects); a forked worker inherits the master's.
struct Bridge {
  ServerView* server = nullptr;  // set by the first master hook; workers keep the master's
  WorkerView* worker = nullptr;  // set by post_fork in a worker process
  void (*exit_process)(int) = nullptr;
  // Set once worker_int/worker_abort ran, so the Python-level signal handler does not repeat it.
  volatile sig_atomic_t signal_hook_ran = 0;

  PyRef ns;             // the namespace of hooks_bridge.py, built on first use
  PyRef worker_object;  // this worker's Worker object (worker processes)
  PyRef pre_request;    // resolved per worker
  PyRef post_request;   // wrapped to 4 arguments
  bool request_hooks = false;
  bool custom_pre_request = false;
  std::map<std::string, PyRef> imported;  // "module.func" hooks
};

Bridge& bridge();

// The Config the hooks of this process see (the worker's, else the master's); nullptr before any.
const config::Config* current_config();

// Logs the pending Python exception with its traceback under `what`.
void log_python_error(std::string_view what);

// A name of the hooks_bridge.py namespace (borrowed), building the namespace on first use;
// nullptr (logged) when it cannot be built.
PyObject* bridge_global(const char* name);

// The callable a config set for `name` (borrowed), or nullptr for the default. Never starts
// Python: without an interpreter no config file ran, so every hook is the default.
PyObject* find_hook(const config::Config& cfg, config::HookKey hook);

// Calls a hook; an exception is logged the way Gunicorn logs a failing post_request hook. A null
// argument (a failed conversion) skips the call.
void call_hook(config::HookKey hook, PyObject* fn, std::initializer_list<PyObject*> args);

// The `server` object (borrowed), bound to `server`.
PyObject* server_object(ServerView& server);
// The `worker` object of a worker the master knows (new reference; the same one per age).
PyRef worker_object(const WorkerInfo& info);
void forget_worker(const WorkerInfo& info);

}  // namespace gf::python::hooks_bridge
