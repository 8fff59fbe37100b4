#include "python/wsgi/exception_types.hpp"

namespace gf::python {
namespace {
PyObject* new_exception_type(const char* name, const char* doc, PyObject* base) {
  return PyErr_NewExceptionWithDoc(name, doc, base, nullptr);
}
}  // namespace

// OSError as the base: Gunicorn's body errors are IOError subclasses, and apps catch OSError to
// notice a disconnected client.
PyObject* client_io_error_type() {
  static PyObject* type = new_exception_type(
      "greenfork.ClientIOError",
      "The client disconnected or sent a malformed body while the request was being served.",
      PyExc_OSError);
  return type;
}

PyObject* invalid_response_type() {
  static PyObject* type = new_exception_type(
      "greenfork.InvalidResponse",
      "start_response() got a status or header that cannot be sent (bad token, CR/LF/NUL).",
      PyExc_Exception);
  return type;
}

}  // namespace gf::python
