// The namespace of hooks_bridge.py and the calls into it: built only when a hook is set, so a
// process whose hooks are all defaults never runs any of it.
#include "python/configuration/hooks_bridge.hpp"

#include <fmt/format.h>

#include "log/error_log.hpp"
#include "python/configuration/config_objects.hpp"
#include "python/configuration/hooks_bridge_source.hpp"
#include "python/configuration/hooks_module.hpp"
#include "python/embed/embedded_source.hpp"
#include "python/embed/py_exception.hpp"
#include "python/embed/py_text.hpp"

namespace gf::python::hooks_bridge {
namespace {

PyObject* bridge_namespace() {
  Bridge& b = bridge();
  if (b.ns) return b.ns.get();
  PyRef module = create_hooks_module();
  PyRef globals = module ? run_embedded_source(kHooksBridgeSource, "<greenfork hooks>",
                                               "greenfork.hooks", {{"_b", module.get()}})
                         : PyRef();
  if (!globals) {
    log_python_error("Cannot set up the hook objects");
    return nullptr;
  }
  b.ns = globals;
  return b.ns.get();
}

}  // namespace

Bridge& bridge() {
  static auto* b = new Bridge();  // never destroyed: see ConfigObjects
  return *b;
}

const config::Config* current_config() {
  Bridge& b = bridge();
  if (b.worker != nullptr) return &b.worker->config();
  if (b.server != nullptr) return &b.server->config();
  return nullptr;
}

void log_python_error(std::string_view what) {
  std::string traceback = PyException::fetch().traceback();
  log::ErrorLog::get().error("{}\n{}", what, traceback);
}

PyObject* bridge_global(const char* name) {
  PyObject* ns = bridge_namespace();
  return ns ? PyDict_GetItemString(ns, name) : nullptr;
}

PyObject* find_hook(const config::Config& cfg, config::HookKey hook) {
  if (!Py_IsInitialized()) return nullptr;
  if (PyObject* kept = ConfigObjects::find(cfg, hook.name)) return kept;
  const std::optional<std::string> path = cfg.get(hook);
  if (!path || path->empty()) return nullptr;
  Bridge& b = bridge();
  if (auto it = b.imported.find(*path); it != b.imported.end()) return it->second.get();
  PyObject* importer = bridge_global("import_hook");
  if (importer == nullptr) return nullptr;
  PyRef arg = PyRef::steal(PyUnicode_FromString(path->c_str()));
  PyRef fn = arg ? PyRef::steal(PyObject_CallOneArg(importer, arg.get())) : PyRef();
  if (!fn) {
    log_python_error(fmt::format("Cannot import the {} hook {}", hook.name, repr(*path)));
    b.imported[*path] = PyRef();  // reported once
    return nullptr;
  }
  b.imported[*path] = fn;
  return fn.get();
}

void call_hook(config::HookKey hook, PyObject* fn, std::initializer_list<PyObject*> args) {
  if (fn == nullptr) return;
  for (PyObject* a : args)
    if (a == nullptr) {
      if (PyErr_Occurred()) log_python_error(fmt::format("Exception in {} hook", hook.name));
      return;
    }
  PyRef result = PyRef::steal(
      PyObject_Vectorcall(fn, const_cast<PyObject* const*>(args.begin()), args.size(), nullptr));
  if (!result) log_python_error(fmt::format("Exception in {} hook", hook.name));
}

PyObject* server_object(ServerView& server) {
  bridge().server = &server;
  return bridge_global("SERVER");
}

PyRef worker_object(const WorkerInfo& info) {
  PyObject* fn = bridge_global("worker_for");
  if (fn == nullptr) return PyRef();
  return PyRef::steal(PyObject_CallFunction(fn, "ii", info.age, static_cast<int>(info.pid)));
}

void forget_worker(const WorkerInfo& info) {
  PyObject* by_age = bridge_global("WORKERS_BY_AGE");
  PyRef key = PyRef::steal(PyLong_FromLong(info.age));
  if (by_age != nullptr && key && PyDict_DelItem(by_age, key.get()) < 0) PyErr_Clear();
}

}  // namespace gf::python::hooks_bridge
