// Sends what the application returned: sendfile() for a wsgi.file_wrapper around a regular file
// (when --no-sendfile/SENDFILE allow it), otherwise the iterable's byte strings one by one;
// and calls the result's close(), which PEP 3333 requires on every path.
#pragma once

#include <Python.h>

#include "config/config.hpp"
#include "python/embed/py_ref.hpp"
#include "python/wsgi/request_state.hpp"

namespace gf::python {

class ResponseBody {
 public:
  explicit ResponseBody(bool sendfile_enabled);

  // Gunicorn's rule: any explicit `sendfile` value disables it; unset -> $SENDFILE
  // (y/1/yes/true) if present, else enabled.
  static bool sendfile_setting(const config::Config& cfg);

  // True when the whole body went to the writer. False with a Python exception set when the
  // app's iterable raised, yielded a non-bytes item, or start_response was never called; socket
  // errors also end up here, recorded in state.io_error.
  bool send(PyObject* result, RequestState& state) const;

  // result.close() if it has one. False with a Python exception set when close() raised.
  bool close(PyObject* result) const;

 private:
  bool send_file(PyObject* filelike, RequestState& state, bool& sent) const;
  bool iterate(PyObject* result, RequestState& state) const;

  bool sendfile_enabled_;
  PyRef close_name_;
  PyRef fileno_name_;
};

}  // namespace gf::python
