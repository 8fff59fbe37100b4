#include "python/embed/embedded_source.hpp"

namespace gf::python {

PyRef run_embedded_source(const char* source, const char* filename, const char* name,
                          std::initializer_list<std::pair<const char*, PyObject*>> provided) {
  PyRef globals = PyRef::steal(PyDict_New());
  PyRef module_name = PyRef::steal(PyUnicode_FromString(name));
  if (!globals || !module_name ||
      PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins()) < 0 ||
      PyDict_SetItemString(globals.get(), "__name__", module_name.get()) < 0)
    return PyRef();
  for (const auto& [key, value] : provided)
    if (value == nullptr || PyDict_SetItemString(globals.get(), key, value) < 0) return PyRef();
  PyRef code = PyRef::steal(Py_CompileString(source, filename, Py_file_input));
  if (!code) return PyRef();
  PyRef done = PyRef::steal(PyEval_EvalCode(code.get(), globals.get(), globals.get()));
  if (!done) return PyRef();
  return globals;
}

}  // namespace gf::python
