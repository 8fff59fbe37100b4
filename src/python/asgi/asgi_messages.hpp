// The ASGI event dicts the server hands to apps, built from interned keys and type names.
#pragma once

#include <Python.h>

#include <vector>

#include "http/request.hpp"
#include "python/embed/py_ref.hpp"

namespace gf::python::asgi_messages {

// Interns the keys (GIL held); false with a Python error set on failure.
bool init();
// {"type": "http.disconnect"} (a new dict each time: apps may keep or change what they get).
PyRef disconnect();
// {"type": "http.request", "body": body, "more_body": more}.
PyRef request(PyObject* body, bool more);
// An app's ASGI headers (an iterable of [name, value] bytes pairs; None: none) appended to
// `out`. False with a Python error set when they are not that.
bool to_header_fields(PyObject* headers, std::vector<http::HeaderField>& out);

}  // namespace gf::python::asgi_messages
