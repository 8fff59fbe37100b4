// Runs one http::ResponseSink call for the application (write(), a body chunk, sendfile) with
// the GIL released, and turns a failure into the Python exception the app sees.
#pragma once

#include <Python.h>

#include <exception>

#include "python/embed/gil.hpp"
#include "python/wsgi/exception_types.hpp"
#include "python/wsgi/request_state.hpp"
#include "util/stream.hpp"

namespace gf::python {

// True on success. On failure a Python exception is set and false returned; a client-side
// failure is also remembered in `state` so the handler drops the connection afterwards.
template <typename WriterCall>
bool call_writer(RequestState& state, WriterCall&& call) {
  try {
    GilRelease unlocked;  // re-taken before any handler below runs
    call(*state.writer);
  } catch (const util::IoError& e) {
    state.io_error = std::current_exception();
    PyErr_SetString(client_io_error_type(), e.what());
    return false;
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
    return false;
  }
  return true;
}

}  // namespace gf::python
