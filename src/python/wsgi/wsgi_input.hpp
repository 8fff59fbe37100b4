// wsgi.input: a C-level, read-only, non-seekable file over the request body. Reads go through
// http::RequestReader with the GIL released and never past the body; a broken or truncated body
// raises greenfork.ClientIOError instead of looking like a short body.
#pragma once

#include <Python.h>

#include "python/embed/py_ref.hpp"
#include "python/wsgi/request_state.hpp"

namespace gf::python {

class WsgiInput {
 public:
  // A new input object reading through state->reader. Requires the GIL.
  static PyRef create(RequestState* state);
  // Called when the request ends: later reads raise ValueError.
  static void detach(PyObject* input);
  static PyTypeObject* type();
};

}  // namespace gf::python
