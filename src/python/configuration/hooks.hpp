// The server hooks of a config file (on_starting ... on_exit, reference §4), called from the
// master and the workers through plain C++ functions: arbiter/ and workers/ never touch the
// Python C API. The hooks see Python `server`, `worker`, `req` and `resp` objects whose
// attributes read the C++ state through the views below.
//
// Every function is a cheap no-op when the hook is the default (nothing set in a config file),
// and never starts Python: a master without a config file stays free of it. A hook that raises
// is logged ("Exception in <hook> hook" and the traceback) and the caller carries on.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace gf::http {
struct Request;
class ResponseSink;
}  // namespace gf::http

typedef struct _object PyObject;

namespace gf::python {

// A worker as the master knows it.
struct WorkerInfo {
  pid_t pid = 0;  // 0 before fork (pre_fork)
  int age = 0;    // unique per master: identifies the worker's Python object
};

// What `server` shows: implemented by the arbiter. The object outlives every hook call; a forked
// worker keeps its copy (post_fork/worker_exit see the master's pid and settings).
class ServerView {
 public:
  virtual const config::Config& config() const = 0;
  virtual pid_t pid() const = 0;
  virtual std::string proc_name() const = 0;
  // cfg.worker_class_str: Gunicorn's name for the worker type in use (the worker table's).
  virtual std::string worker_class_str() const = 0;
  virtual int num_workers() const = 0;
  // `server.num_workers = n` from a hook: the arbiter adopts it (and reports the change back
  // through Hooks::nworkers_changed).
  virtual void change_num_workers(int n) = 0;
  virtual std::vector<WorkerInfo> workers() const = 0;

 protected:
  ~ServerView() = default;
};

// What `worker` shows inside the worker process: implemented by the worker.
class WorkerView {
 public:
  virtual const config::Config& config() const = 0;
  virtual int age() const = 0;
  virtual pid_t ppid() const = 0;
  virtual uint64_t requests() const = 0;  // worker.nr
  virtual bool alive() const = 0;
  virtual void stop() = 0;    // worker.alive = False: finish the current request, then exit
  virtual void notify() = 0;  // worker.tmp.notify(): heartbeat

 protected:
  ~WorkerView() = default;
};

class Hooks {
 public:
  // Master side.
  static void nworkers_changed(ServerView& server, int new_value, std::optional<int> old_value);
  static void on_starting(ServerView& server);
  static void when_ready(ServerView& server);
  static void on_reload(ServerView& server);
  static void pre_fork(ServerView& server, const WorkerInfo& worker);
  static void after_fork_parent(const WorkerInfo& worker);  // records the pid of the new worker
  static void child_exit(ServerView& server, const WorkerInfo& worker);
  static void worker_exit(ServerView& server, const WorkerInfo& worker);  // kill() saw ESRCH
  static void on_exit(ServerView& server);
  static void pre_exec(ServerView& server);  // in the forked child, before execve

  // Worker side (the GIL must be held, as it is before and after the request loop).
  // post_fork binds `worker` to this process; call it first.
  static void post_fork(WorkerView& worker);
  static void post_worker_init(PyObject* app);  // also sets worker.wsgi
  static void worker_int();
  static void worker_abort();
  static void worker_exit();  // at the end of the worker process
  // True when worker_int or worker_abort is set: a signal arriving while the app runs must then
  // run the hook in the main thread through the interpreter (see forward_signal).
  static bool has_signal_hooks();
  // Async-signal-safe: asks the interpreter to run the signal's hook at the next bytecode
  // boundary of the main thread, which then leaves the process (exit_after_signal_hook).
  static void forward_signal(int sig);
  // Installs what forward_signal relies on (Python-level handlers for INT, QUIT and ABRT) and
  // the function that ends the process after the hook ran. Call with the GIL held after the
  // worker's own C handlers are installed; they are put back afterwards.
  static void install_signal_forwarding(void (*exit_process)(int status));

  // Per request (sync worker, GIL held). request_hooks_active() is false when pre_request and
  // post_request are both the defaults: then nothing else here needs to run.
  static bool request_hooks_active();
  static bool custom_pre_request();
  // Builds `req` and calls pre_request; returns it (new reference) for post_request, or nullptr.
  // When pre_request raised, `failed` is set and its exception is left pending: as in Gunicorn,
  // the request is then answered with a 500 instead of reaching the app.
  static PyObject* pre_request(const http::Request& request, bool& failed);
  // Calls post_request(worker, req, environ, resp); environ may be nullptr ({}), writer nullptr
  // (resp None). Consumes `req`. Never raises.
  static void post_request(PyObject* req, const http::Request& request, PyObject* environ,
                           const http::ResponseSink* writer);
};

}  // namespace gf::python
