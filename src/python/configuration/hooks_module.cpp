// `_greenfork_hooks`: plain C functions over the process's ServerView / WorkerView, so the
// Python hook objects always show the live state instead of a copy made when a hook started.
#include "python/configuration/hooks_module.hpp"

#include <csignal>
#include <string>

#include "config/settings_table.hpp"
#include "log/error_log.hpp"
#include "python/configuration/config_objects.hpp"
#include "python/configuration/hooks_bridge.hpp"

namespace gf::python::hooks_bridge {
namespace {

ServerView* server_view() {
  return bridge().server;
}
WorkerView* worker_view() {
  return bridge().worker;
}
// The server view only in the master: a worker holds a copy of it that must not be acted on.
ServerView* master_view() {
  return worker_view() == nullptr ? server_view() : nullptr;
}

PyRef to_python(const config::Value& value) {
  return std::visit(
      [](const auto& v) -> PyRef {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return PyRef::borrow(Py_None);
        } else if constexpr (std::is_same_v<T, bool>) {
          return PyRef::borrow(v ? Py_True : Py_False);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          return PyRef::steal(PyLong_FromLongLong(v));
        } else if constexpr (std::is_same_v<T, double>) {
          return PyRef::steal(PyFloat_FromDouble(v));
        } else if constexpr (std::is_same_v<T, std::string>) {
          return PyRef::steal(
              PyUnicode_DecodeUTF8(v.data(), static_cast<Py_ssize_t>(v.size()), "surrogateescape"));
        } else if constexpr (std::is_same_v<T, config::StringList>) {
          PyRef list = PyRef::steal(PyList_New(0));
          for (const auto& item : v) {
            PyRef s = PyRef::steal(PyUnicode_DecodeUTF8(
                item.data(), static_cast<Py_ssize_t>(item.size()), "surrogateescape"));
            if (!s || PyList_Append(list.get(), s.get()) < 0) return PyRef();
          }
          return list;
        } else {
          PyRef dict = PyRef::steal(PyDict_New());
          for (const auto& [key, val] : v) {
            PyRef val_obj = PyRef::steal(PyUnicode_DecodeUTF8(
                val.data(), static_cast<Py_ssize_t>(val.size()), "surrogateescape"));
            if (!val_obj || PyDict_SetItemString(dict.get(), key.c_str(), val_obj.get()) < 0)
              return PyRef();
          }
          return dict;
        }
      },
      value);
}

PyObject* py_log(PyObject*, PyObject* args) {
  int level = 0;
  const char* text = nullptr;
  if (!PyArg_ParseTuple(args, "is", &level, &text)) return nullptr;
  auto lvl = static_cast<log::Level>(level <= 10   ? 10
                                     : level <= 20 ? 20
                                     : level <= 30 ? 30
                                     : level <= 40 ? 40
                                                   : 50);
  auto& log = log::ErrorLog::get();
  if (log.enabled(lvl)) log.write(lvl, text);
  Py_RETURN_NONE;
}

PyObject* py_log_enabled(PyObject*, PyObject* arg) {
  long level = PyLong_AsLong(arg);
  if (level == -1 && PyErr_Occurred()) return nullptr;
  return PyBool_FromLong(log::ErrorLog::get().enabled(static_cast<log::Level>(level)) ||
                         level > 50);
}

PyObject* py_setting(PyObject*, PyObject* arg) {
  const char* name = PyUnicode_AsUTF8(arg);
  if (name == nullptr) return nullptr;
  const config::Config* cfg = current_config();
  if (cfg == nullptr) {
    PyErr_SetString(PyExc_KeyError, name);
    return nullptr;
  }
  try {
    const config::Value& value = cfg->get(name);
    // A hook set to a function: the function itself, as Gunicorn's cfg shows it.
    if (PyObject* kept = ConfigObjects::find(*cfg, name)) return Py_NewRef(kept);
    return to_python(value).release();
  } catch (const std::out_of_range&) {
    PyErr_SetString(PyExc_KeyError, name);
    return nullptr;
  }
}

PyObject* py_setting_names(PyObject*, PyObject*) {
  PyRef list = PyRef::steal(PyList_New(0));
  for (const config::SettingSpec& spec : config::settings_table()) {
    PyRef name = PyRef::steal(
        PyUnicode_FromStringAndSize(spec.name.data(), static_cast<Py_ssize_t>(spec.name.size())));
    if (!name || PyList_Append(list.get(), name.get()) < 0) return nullptr;
  }
  return list.release();
}

PyObject* py_server_pid(PyObject*, PyObject*) {
  return PyLong_FromLong(server_view() ? server_view()->pid() : 0);
}
PyObject* py_server_proc_name(PyObject*, PyObject*) {
  std::string name = server_view() ? server_view()->proc_name() : std::string();
  return PyUnicode_DecodeUTF8(name.data(), static_cast<Py_ssize_t>(name.size()), "replace");
}
PyObject* py_worker_class_str(PyObject*, PyObject*) {
  std::string name = server_view() ? server_view()->worker_class_str() : std::string("sync");
  return PyUnicode_DecodeUTF8(name.data(), static_cast<Py_ssize_t>(name.size()), "replace");
}
PyObject* py_server_num_workers(PyObject*, PyObject*) {
  return PyLong_FromLong(server_view() ? server_view()->num_workers() : 0);
}
PyObject* py_server_set_num_workers(PyObject*, PyObject* arg) {
  long n = PyLong_AsLong(arg);
  if (n == -1 && PyErr_Occurred()) return nullptr;
  if (n < 0) {
    PyErr_SetString(PyExc_ValueError, "num_workers must be >= 0");
    return nullptr;
  }
  if (ServerView* master = master_view()) master->change_num_workers(static_cast<int>(n));
  Py_RETURN_NONE;
}
PyObject* py_server_workers(PyObject*, PyObject*) {
  PyRef list = PyRef::steal(PyList_New(0));
  if (ServerView* master = master_view()) {
    for (const WorkerInfo& w : master->workers()) {
      PyRef item = PyRef::steal(Py_BuildValue("(ii)", static_cast<int>(w.pid), w.age));
      if (!item || PyList_Append(list.get(), item.get()) < 0) return nullptr;
    }
  }
  return list.release();
}
PyObject* py_worker_alive(PyObject*, PyObject*) {
  return PyBool_FromLong(worker_view() != nullptr && worker_view()->alive());
}
PyObject* py_worker_stop(PyObject*, PyObject*) {
  if (worker_view() != nullptr) worker_view()->stop();
  Py_RETURN_NONE;
}
PyObject* py_worker_nr(PyObject*, PyObject*) {
  return PyLong_FromUnsignedLongLong(worker_view() ? worker_view()->requests() : 0);
}
PyObject* py_worker_notify(PyObject*, PyObject*) {
  if (worker_view() != nullptr) worker_view()->notify();
  Py_RETURN_NONE;
}
// The Python-level handler of INT/QUIT/ABRT (run by the interpreter in the main thread, where
// the app was interrupted): the hook, then the process ends without returning to the app.
PyObject* py_signal_hook(PyObject*, PyObject* arg) {
  long sig = PyLong_AsLong(arg);
  if (sig == -1 && PyErr_Occurred()) return nullptr;
  if (bridge().signal_hook_ran) Py_RETURN_NONE;  // the worker loop already ran it
  if (sig == SIGABRT)
    Hooks::worker_abort();
  else
    Hooks::worker_int();
  if (bridge().exit_process != nullptr) bridge().exit_process(sig == SIGABRT ? 1 : 0);
  Py_RETURN_NONE;
}

PyMethodDef kMethods[] = {
    {"log", py_log, METH_VARARGS, nullptr},
    {"log_enabled", py_log_enabled, METH_O, nullptr},
    {"setting", py_setting, METH_O, nullptr},
    {"setting_names", py_setting_names, METH_NOARGS, nullptr},
    {"server_pid", py_server_pid, METH_NOARGS, nullptr},
    {"server_proc_name", py_server_proc_name, METH_NOARGS, nullptr},
    {"server_num_workers", py_server_num_workers, METH_NOARGS, nullptr},
    {"worker_class_str", py_worker_class_str, METH_NOARGS, nullptr},
    {"server_set_num_workers", py_server_set_num_workers, METH_O, nullptr},
    {"server_workers", py_server_workers, METH_NOARGS, nullptr},
    {"worker_alive", py_worker_alive, METH_NOARGS, nullptr},
    {"worker_stop", py_worker_stop, METH_NOARGS, nullptr},
    {"worker_nr", py_worker_nr, METH_NOARGS, nullptr},
    {"worker_notify", py_worker_notify, METH_NOARGS, nullptr},
    {"signal_hook", py_signal_hook, METH_O, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

PyModuleDef kModule = {PyModuleDef_HEAD_INIT,
                       "_greenfork_hooks",
                       nullptr,
                       -1,
                       kMethods,
                       nullptr,
                       nullptr,
                       nullptr,
                       nullptr};

}  // namespace

PyRef create_hooks_module() {
  return PyRef::steal(PyModule_Create(&kModule));
}

}  // namespace gf::python::hooks_bridge
