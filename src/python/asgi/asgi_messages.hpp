// The ASGI event dicts the server hands to apps, built from interned keys and type names.
#pragma once

#include <Python.h>

#include "python/embed/py_ref.hpp"

namespace gf::python::asgi_messages {

// Interns the keys (GIL held); false with a Python error set on failure.
bool init();
// {"type": "http.disconnect"} (a new dict each time: apps may keep or change what they get).
PyRef disconnect();
// {"type": "http.request", "body": body, "more_body": more}.
PyRef request(PyObject* body, bool more);

}  // namespace gf::python::asgi_messages
