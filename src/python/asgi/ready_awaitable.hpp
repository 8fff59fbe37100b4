// An awaitable that is already complete: `await` on it returns its value at once, with no
// Future, no Task switch and no trip through the event loop. ASGI's receive() and send() hand it
// out whenever they can answer without waiting (a body already received, room to write).
#pragma once

#include <Python.h>

#include "python/embed/py_ref.hpp"

namespace gf::python {

// A new awaitable yielding `value` (a dict or None; borrowed). Null with a Python error set when
// out of memory. GIL held.
PyRef ready_awaitable(PyObject* value);

}  // namespace gf::python
