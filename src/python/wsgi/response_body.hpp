// Sends what the application returned: sendfile() for a wsgi.file_wrapper around a regular file
// (when --no-sendfile/SENDFILE allow it), otherwise the iterable's byte strings one by one, and
// pauses between two of them while the client is slower than the app (back-pressure); calls the
// result's close(), which PEP 3333 requires on every path.
#pragma once

#include <Python.h>

#include "config/config.hpp"
#include "python/embed/py_ref.hpp"
#include "python/wsgi/request_state.hpp"

namespace gf::python {

// Where the iteration of one result stands, kept across pauses.
struct BodyCursor {
  PyRef iterator;        // for a general iterable, once iteration started
  Py_ssize_t index = 0;  // next item of a list or tuple result
  bool started = false;  // the file-wrapper path was tried and iteration began
};

enum class BodyStep {
  kDone,    // every chunk went to the response
  kPaused,  // the response is congested: resume() once the client has caught up
  kFailed,  // a Python exception is set (app error, bad item, socket error in state.io_error)
};

class ResponseBody {
 public:
  explicit ResponseBody(bool sendfile_enabled);

  // Gunicorn's rule: any explicit `sendfile` value disables it; unset -> $SENDFILE
  // (y/1/yes/true) if present, else enabled.
  static bool sendfile_setting(const config::Config& cfg);

  // Sends the body, or as much of it as the client takes while `can_pause`; without it a
  // congested response makes this thread wait for the client instead.
  BodyStep send(PyObject* result, RequestState& state, BodyCursor& cursor, bool can_pause) const;

  // result.close() if it has one. False with a Python exception set when close() raised.
  bool close(PyObject* result) const;

 private:
  bool send_file(PyObject* filelike, RequestState& state, bool& sent) const;
  BodyStep iterate(PyObject* result, RequestState& state, BodyCursor& cursor, bool can_pause) const;

  bool sendfile_enabled_;
  PyRef close_name_;
  PyRef fileno_name_;
};

}  // namespace gf::python
