#include "python/embed/py_exception.hpp"

#include "python/embed/py_text.hpp"

namespace gf::python {

PyException PyException::fetch() {
  PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  if (tb != nullptr && value != nullptr) PyException_SetTraceback(value, tb);
  PyException exc;
  exc.type_ = PyRef::steal(type);
  exc.value_ = PyRef::steal(value);
  exc.traceback_ = PyRef::steal(tb);
  return exc;
}

bool PyException::is(PyObject* exception_type) const {
  return type_ && PyErr_GivenExceptionMatches(type_.get(), exception_type);
}

std::string PyException::message() const {
  return to_utf8(value_.get());
}

// Formats through the traceback module: only on error paths, so the import cost is irrelevant,
// and the output matches what Python itself prints.
static std::string format_with(const char* function, PyObject* type, PyObject* value, PyObject* tb,
                               bool with_traceback) {
  PyRef module = PyRef::steal(PyImport_ImportModule("traceback"));
  if (!module) {
    PyErr_Clear();
    return "";
  }
  PyObject* v = value ? value : Py_None;
  PyRef lines =
      PyRef::steal(with_traceback ? PyObject_CallMethod(module.get(), function, "OOO", type, v,
                                                        tb ? tb : Py_None)
                                  : PyObject_CallMethod(module.get(), function, "OO", type, v));
  if (!lines) {
    PyErr_Clear();
    return "";
  }
  PyRef empty = PyRef::steal(PyUnicode_FromString(""));
  PyRef joined = PyRef::steal(PyUnicode_Join(empty.get(), lines.get()));
  if (!joined) {
    PyErr_Clear();
    return "";
  }
  std::string text = to_utf8(joined.get());
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::string PyException::type_and_message() const {
  if (!type_) return "";
  return format_with("format_exception_only", type_.get(), value_.get(), nullptr, false);
}

std::string PyException::traceback() const {
  if (!type_) return "";
  return format_with("format_exception", type_.get(), value_.get(), traceback_.get(), true);
}

void PyException::restore() {
  PyErr_Restore(type_.release(), value_.release(), traceback_.release());
}

}  // namespace gf::python
