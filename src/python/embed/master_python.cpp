#include "python/embed/master_python.hpp"

#include <Python.h>

#include <cstdlib>
#include <optional>

#include "config/derived_settings.hpp"
#include "python/embed/py_ref.hpp"

namespace gf::python {
namespace {

std::optional<std::string> original_value(const std::vector<std::string>& env,
                                          const std::string& name) {
  for (const auto& entry : env)
    if (entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 &&
        entry[name.size()] == '=')
      return entry.substr(name.size() + 1);
  return std::nullopt;
}

// os.environ is a snapshot taken when Python started; assigning through it also calls putenv.
void set_os_environ(const std::string& name, const std::optional<std::string>& value) {
  PyRef os = PyRef::steal(PyImport_ImportModule("os"));
  if (!os) return PyErr_Clear();
  PyRef environ = PyRef::steal(PyObject_GetAttrString(os.get(), "environ"));
  if (!environ) return PyErr_Clear();
  PyRef key = PyRef::steal(PyUnicode_DecodeFSDefault(name.c_str()));
  if (!key) return PyErr_Clear();
  if (value) {
    PyRef text = PyRef::steal(PyUnicode_DecodeFSDefault(value->c_str()));
    if (!text || PyObject_SetItem(environ.get(), key.get(), text.get()) < 0) PyErr_Clear();
  } else {
    PyRef popped =
        PyRef::steal(PyObject_CallMethod(environ.get(), "pop", "OO", key.get(), Py_None));
    if (!popped) PyErr_Clear();
  }
}

}  // namespace

void restore_environment(const config::Config& cfg, const std::vector<std::string>& original_env) {
  std::vector<std::pair<std::string, std::string>> pairs;
  try {
    pairs = config::environment_pairs(cfg);
  } catch (const config::ConfigError&) {
    return;  // validated at start-up; nothing was set from a value that does not parse
  }
  for (const auto& [name, unused] : pairs) {
    (void)unused;
    const auto value = original_value(original_env, name);
    if (value)
      ::setenv(name.c_str(), value->c_str(), 1);
    else
      ::unsetenv(name.c_str());
    if (Py_IsInitialized()) set_os_environ(name, value);
  }
}

void freeze_gc() {
  if (!Py_IsInitialized()) return;
  PyRef gc = PyRef::steal(PyImport_ImportModule("gc"));
  if (!gc) return PyErr_Clear();
  PyRef done = PyRef::steal(PyObject_CallMethod(gc.get(), "freeze", nullptr));
  if (!done) PyErr_Clear();
}

}  // namespace gf::python
