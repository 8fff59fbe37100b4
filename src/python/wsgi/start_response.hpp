// start_response(status, headers, exc_info=None) and the write(data) callable it returns, as
// C-level types over http::ResponseSink (which validates status and headers) - PEP 3333 rules:
// a second call needs exc_info, and re-raises it once the headers are on the wire.
#pragma once

#include <Python.h>

#include "python/embed/py_ref.hpp"
#include "python/wsgi/request_state.hpp"

namespace gf::python {

class StartResponse {
 public:
  static PyRef create(RequestState* state);  // requires the GIL
  // Creates the Python types up front (the handler does it once, before any thread serves).
  static void init_types();
  // The request is over: calling it (or its write) afterwards raises.
  static void detach(PyObject* start_response);
};

// Writes one body chunk through the writer with the GIL released. On a socket error, records it
// in state->io_error and raises ClientIOError. Returns false with a Python error set on failure.
// Used by write() and by the handler's result iteration alike.
bool write_body_chunk(RequestState& state, PyObject* chunk);

}  // namespace gf::python
