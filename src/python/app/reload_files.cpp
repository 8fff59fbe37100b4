#include "python/app/reload_files.hpp"

#include <Python.h>

#include "python/embed/gil.hpp"
#include "python/embed/py_ref.hpp"

namespace gf::python {
namespace {
// Python's own glob keeps the pattern semantics (hidden files, `**`, character classes) the
// same as Gunicorn's reloader, and sys.modules can only be read with the GIL anyway.
constexpr const char* kCollector = R"(
def collect(patterns):
    import glob, os, sys
    found = set()
    for module in tuple(sys.modules.values()):
        name = getattr(module, "__file__", None)
        if not isinstance(name, str):
            continue
        if name.endswith((".pyc", ".pyo")):
            name = name[:-1]
        found.add(os.path.abspath(name))
    for pattern in patterns:
        if any(c in pattern for c in "*?["):
            found.update(os.path.abspath(p) for p in glob.glob(pattern, recursive=True))
        else:
            found.add(os.path.abspath(pattern))
    return sorted(found)
)";

PyObject* collector() {
  // Created once per worker and kept for its lifetime (a process-wide interpreter object).
  static PyObject* fn = [] {
    PyRef globals = PyRef::steal(PyDict_New());
    if (!globals) return static_cast<PyObject*>(nullptr);
    PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins());
    PyRef done =
        PyRef::steal(PyRun_String(kCollector, Py_file_input, globals.get(), globals.get()));
    if (!done) return static_cast<PyObject*>(nullptr);
    PyObject* found = PyDict_GetItemString(globals.get(), "collect");
    Py_XINCREF(found);
    return found;
  }();
  return fn;
}
}  // namespace

std::vector<std::string> ReloadFiles::collect(const std::vector<std::string>& extra_patterns) {
  GilAcquire gil;
  std::vector<std::string> files;
  PyObject* fn = collector();
  PyRef patterns = PyRef::steal(PyList_New(0));
  if (fn == nullptr || !patterns) {
    PyErr_Clear();
    return files;
  }
  for (const auto& pattern : extra_patterns) {
    PyRef item = PyRef::steal(
        PyUnicode_DecodeFSDefaultAndSize(pattern.data(), static_cast<Py_ssize_t>(pattern.size())));
    if (!item || PyList_Append(patterns.get(), item.get()) != 0) {
      PyErr_Clear();
      return files;
    }
  }
  PyRef result = PyRef::steal(PyObject_CallOneArg(fn, patterns.get()));
  if (!result || !PyList_Check(result.get())) {
    PyErr_Clear();
    return files;
  }
  files.reserve(static_cast<size_t>(PyList_GET_SIZE(result.get())));
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(result.get()); ++i) {
    PyRef bytes = PyRef::steal(PyUnicode_EncodeFSDefault(PyList_GET_ITEM(result.get(), i)));
    if (!bytes) {
      PyErr_Clear();
      continue;
    }
    files.emplace_back(PyBytes_AS_STRING(bytes.get()),
                       static_cast<size_t>(PyBytes_GET_SIZE(bytes.get())));
  }
  return files;
}

}  // namespace gf::python
