#include "python/embed/py_text.hpp"

namespace gf::python {

std::optional<std::string> latin1_bytes(PyObject* str) {
  if (PyUnicode_KIND(str) == PyUnicode_1BYTE_KIND) {
    // Fast path: the str already stores one byte per code point.
    return std::string(reinterpret_cast<const char*>(PyUnicode_1BYTE_DATA(str)),
                       static_cast<size_t>(PyUnicode_GET_LENGTH(str)));
  }
  PyRef encoded = PyRef::steal(PyUnicode_AsLatin1String(str));
  if (!encoded) return std::nullopt;
  return std::string(PyBytes_AS_STRING(encoded.get()),
                     static_cast<size_t>(PyBytes_GET_SIZE(encoded.get())));
}

static std::string utf8_of_str(PyObject* str) {
  PyRef encoded = PyRef::steal(PyUnicode_AsEncodedString(str, "utf-8", "backslashreplace"));
  if (!encoded) {
    PyErr_Clear();
    return "<unprintable object>";
  }
  return std::string(PyBytes_AS_STRING(encoded.get()),
                     static_cast<size_t>(PyBytes_GET_SIZE(encoded.get())));
}

std::string to_utf8(PyObject* obj) {
  if (obj == nullptr) return "";
  PyRef text = PyRef::steal(PyObject_Str(obj));
  if (!text) {
    PyErr_Clear();
    return "<unprintable object>";
  }
  return utf8_of_str(text.get());
}

std::string repr(PyObject* obj) {
  PyRef text = PyRef::steal(PyObject_Repr(obj));
  if (!text) {
    PyErr_Clear();
    return "<unprintable object>";
  }
  return utf8_of_str(text.get());
}

std::string repr(std::string_view text) {
  PyRef str = PyRef::steal(
      PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "surrogateescape"));
  if (!str) {
    PyErr_Clear();
    return "'" + std::string(text) + "'";
  }
  return repr(str.get());
}

}  // namespace gf::python
