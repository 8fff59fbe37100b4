// Python exception classes greenfork raises into applications: ClientIOError (an OSError, the
// client went away or sent a broken body) and InvalidResponse (bad status or header).
#pragma once

#include <Python.h>

namespace gf::python {

// Borrowed references, created on first use (GIL held) and kept for the process lifetime.
PyObject* client_io_error_type();   // greenfork.ClientIOError(OSError)
PyObject* invalid_response_type();  // greenfork.InvalidResponse(Exception)

}  // namespace gf::python
