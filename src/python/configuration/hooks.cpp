// Hooks: the master's and the worker's lifecycle hooks. Each looks its callable up in the
// config first, so a hook left at its default costs no Python at all.
#include "python/configuration/hooks.hpp"

#include <Python.h>
#include <unistd.h>

#include <csignal>

#include "log/error_log.hpp"
#include "python/configuration/hooks_bridge.hpp"
#include "python/embed/py_exception.hpp"

namespace gf::python {

namespace settings = config::settings;
using hooks_bridge::Bridge;
using hooks_bridge::bridge;
using hooks_bridge::bridge_global;
using hooks_bridge::call_hook;
using hooks_bridge::find_hook;
using hooks_bridge::forget_worker;
using hooks_bridge::log_python_error;
using hooks_bridge::server_object;
using hooks_bridge::worker_object;

namespace {

// Master hooks taking (server).
void server_hook(ServerView& server, config::HookKey hook) {
  PyObject* fn = find_hook(server.config(), hook);
  if (fn == nullptr) return;
  call_hook(hook, fn, {server_object(server)});
}

// Master hooks taking (server, worker).
void server_worker_hook(ServerView& server, config::HookKey hook, const WorkerInfo& info,
                        bool forget) {
  PyObject* fn = find_hook(server.config(), hook);
  if (fn != nullptr) {
    PyObject* s = server_object(server);
    PyRef w = worker_object(info);
    call_hook(hook, fn, {s, w.get()});
  }
  if (forget && bridge().ns) forget_worker(info);
}

// Worker hooks taking (worker).
void worker_hook(config::HookKey hook) {
  const Bridge& b = bridge();
  if (b.worker == nullptr) return;
  PyObject* fn = find_hook(b.worker->config(), hook);
  if (fn == nullptr || !b.worker_object) return;
  call_hook(hook, fn, {b.worker_object.get()});
}

}  // namespace

void Hooks::nworkers_changed(ServerView& server, int new_value, std::optional<int> old_value) {
  bridge().server = &server;  // the first call comes before any other hook: workers inherit it
  PyObject* fn = find_hook(server.config(), settings::nworkers_changed);
  if (fn == nullptr) return;
  PyObject* s = server_object(server);
  PyRef n = PyRef::steal(PyLong_FromLong(new_value));
  PyRef o = old_value ? PyRef::steal(PyLong_FromLong(*old_value)) : PyRef::borrow(Py_None);
  call_hook(settings::nworkers_changed, fn, {s, n.get(), o.get()});
}

void Hooks::on_starting(ServerView& server) {
  server_hook(server, settings::on_starting);
}
void Hooks::when_ready(ServerView& server) {
  server_hook(server, settings::when_ready);
}
void Hooks::on_reload(ServerView& server) {
  server_hook(server, settings::on_reload);
}
void Hooks::on_exit(ServerView& server) {
  server_hook(server, settings::on_exit);
}
void Hooks::pre_exec(ServerView& server) {
  server_hook(server, settings::pre_exec);
}

void Hooks::pre_fork(ServerView& server, const WorkerInfo& worker) {
  bridge().server = &server;
  server_worker_hook(server, settings::pre_fork, worker, false);
}

void Hooks::after_fork_parent(const WorkerInfo& worker) {
  // Only when pre_fork made the object (or WORKERS did): otherwise there is nothing to update.
  if (!bridge().ns) return;
  PyObject* by_age = bridge_global("WORKERS_BY_AGE");
  PyRef key = PyRef::steal(PyLong_FromLong(worker.age));
  PyObject* w = by_age && key ? PyDict_GetItem(by_age, key.get()) : nullptr;
  if (w == nullptr) return;
  PyRef pid = PyRef::steal(PyLong_FromLong(worker.pid));
  if (!pid || PyObject_SetAttrString(w, "pid", pid.get()) < 0) PyErr_Clear();
}

void Hooks::child_exit(ServerView& server, const WorkerInfo& worker) {
  server_worker_hook(server, settings::child_exit, worker, true);
}

void Hooks::worker_exit(ServerView& server, const WorkerInfo& worker) {
  server_worker_hook(server, settings::worker_exit, worker, true);
}

void Hooks::post_fork(WorkerView& view) {
  Bridge& b = bridge();
  b.worker = &view;
  const config::Config& cfg = view.config();
  // Resolved once per worker: the request path then only tests two pointers.
  b.pre_request = PyRef::borrow(find_hook(cfg, settings::pre_request));
  if (PyObject* post = find_hook(cfg, settings::post_request)) {
    PyObject* wrap = bridge_global("post_request_caller");
    b.post_request = wrap ? PyRef::steal(PyObject_CallOneArg(wrap, post)) : PyRef();
    if (!b.post_request && PyErr_Occurred()) log_python_error("Cannot use the post_request hook");
  }
  b.custom_pre_request = static_cast<bool>(b.pre_request);
  b.request_hooks = b.pre_request || b.post_request;
  if (!Py_IsInitialized() || !b.ns) {
    // No hook ever needed the objects so far; the worker ones are needed by any worker hook.
    static constexpr config::HookKey kWorkerHooks[] = {
        settings::post_fork, settings::post_worker_init, settings::worker_int,
        settings::worker_abort, settings::worker_exit};
    bool any = b.request_hooks;
    for (config::HookKey hook : kWorkerHooks) any = any || find_hook(cfg, hook) != nullptr;
    if (!any) return;
  }
  PyRef w = worker_object(WorkerInfo{::getpid(), view.age()});
  if (!w) {
    log_python_error("Cannot set up the worker object");
    return;
  }
  if (PyObject_SetAttrString(w.get(), "_live", Py_True) < 0) PyErr_Clear();
  PyRef ppid = PyRef::steal(PyLong_FromLong(view.ppid()));
  if (ppid && PyObject_SetAttrString(w.get(), "ppid", ppid.get()) < 0) PyErr_Clear();
  b.worker_object = w;
  PyObject* fn = find_hook(cfg, settings::post_fork);
  if (fn != nullptr && b.server != nullptr)
    call_hook(settings::post_fork, fn, {bridge_global("SERVER"), w.get()});
}

void Hooks::post_worker_init(PyObject* app) {
  Bridge& b = bridge();
  if (!b.worker_object) return;
  if (app != nullptr && PyObject_SetAttrString(b.worker_object.get(), "wsgi", app) < 0)
    PyErr_Clear();
  if (PyObject_SetAttrString(b.worker_object.get(), "booted", Py_True) < 0) PyErr_Clear();
  worker_hook(settings::post_worker_init);
}

void Hooks::worker_int() {
  bridge().signal_hook_ran = 1;
  worker_hook(settings::worker_int);
}

void Hooks::worker_abort() {
  bridge().signal_hook_ran = 1;
  if (bridge().worker_object &&
      PyObject_SetAttrString(bridge().worker_object.get(), "aborted", Py_True) < 0)
    PyErr_Clear();
  worker_hook(settings::worker_abort);
}

void Hooks::worker_exit() {
  Bridge& b = bridge();
  if (b.worker == nullptr || !b.worker_object) return;
  PyObject* fn = find_hook(b.worker->config(), settings::worker_exit);
  if (fn == nullptr) return;
  PyRef result = PyRef::steal(PyObject_CallFunctionObjArgs(
      fn, b.server ? bridge_global("SERVER") : Py_None, b.worker_object.get(), nullptr));
  if (!result) {
    // Gunicorn's wording for this one.
    log::ErrorLog::get().warning("Exception during worker exit:\n{}",
                                 PyException::fetch().traceback());
  }
}

bool Hooks::has_signal_hooks() {
  const Bridge& b = bridge();
  if (b.worker == nullptr || !b.worker_object) return false;
  return find_hook(b.worker->config(), settings::worker_int) != nullptr ||
         find_hook(b.worker->config(), settings::worker_abort) != nullptr;
}

void Hooks::forward_signal(int sig) {
  // Async-signal-safe by CPython's contract: it only flags the signal for the eval loop.
  PyErr_SetInterruptEx(sig);
}

void Hooks::install_signal_forwarding(void (*exit_process)(int status)) {
  bridge().exit_process = exit_process;
  PyObject* handler = bridge_global("on_signal");
  PyRef signal_module = PyRef::steal(PyImport_ImportModule("signal"));
  if (handler == nullptr || !signal_module) {
    if (PyErr_Occurred()) log_python_error("Cannot install the worker_int/worker_abort handlers");
    return;
  }
  for (int sig : {SIGINT, SIGQUIT, SIGABRT}) {
    // signal.signal() registers the Python handler that PyErr_SetInterruptEx(sig) runs, but it
    // also replaces the C handler: the worker's own one goes back right after.
    struct sigaction saved {};
    sigaction(sig, nullptr, &saved);
    PyRef r = PyRef::steal(PyObject_CallMethod(signal_module.get(), "signal", "iO", sig, handler));
    if (!r) log_python_error("Cannot install the worker_int/worker_abort handlers");
    sigaction(sig, &saved, nullptr);
  }
}

bool Hooks::request_hooks_active() {
  return bridge().request_hooks;
}

bool Hooks::custom_pre_request() {
  return bridge().custom_pre_request;
}

}  // namespace gf::python
