// Conversions between C++ byte strings and Python str: WSGI "native strings" are latin-1
// (PEP 3333), while messages for the error log are UTF-8.
#pragma once

#include <Python.h>

#include <optional>
#include <string>
#include <string_view>

#include "python/embed/py_ref.hpp"

namespace gf::python {

// Bytes -> str, one code point per byte (never fails for valid memory).
inline PyRef latin1(std::string_view bytes) {
  return PyRef::steal(
      PyUnicode_DecodeLatin1(bytes.data(), static_cast<Py_ssize_t>(bytes.size()), nullptr));
}

// A str whose code points are all < 256, back to its bytes; nullopt (Python error set) otherwise.
std::optional<std::string> latin1_bytes(PyObject* str);

// Any object -> UTF-8 text for logs: str(obj), with unencodable characters backslash-escaped.
// Never raises; an object whose str() fails renders as "<unprintable object>".
std::string to_utf8(PyObject* obj);

// repr(obj) as UTF-8, e.g. "'app'" for the string app - Gunicorn's %r in messages.
std::string repr(PyObject* obj);
std::string repr(std::string_view text);

}  // namespace gf::python
