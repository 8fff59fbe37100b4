// A Python exception taken out of the interpreter so C++ can inspect it, log its traceback in
// Gunicorn's style, or put it back; used by app loading and by the request handler.
#pragma once

#include <Python.h>

#include <string>

#include "python/embed/py_ref.hpp"

namespace gf::python {

class PyException {
 public:
  // Takes (and clears) the pending exception, normalized. Requires PyErr_Occurred().
  static PyException fetch();

  bool is(PyObject* exception_type) const;  // isinstance(value, exception_type)
  PyObject* value() const { return value_.get(); }
  std::string message() const;           // str(exc)
  std::string type_and_message() const;  // "TypeError: msg" (traceback.format_exception_only)
  std::string traceback() const;         // the full "Traceback (most recent call last): ..." text

  // Puts the exception back as the pending one (consumes this object).
  void restore();

 private:
  PyRef type_, value_, traceback_;
};

}  // namespace gf::python
