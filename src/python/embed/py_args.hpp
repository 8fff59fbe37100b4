// Argument parsing for the C-level WSGI methods: one optional size-like argument
// (read(size=-1), readline(size=-1), readlines(hint=-1)), None meaning "no limit".
#pragma once

#include <Python.h>

namespace gf::python {

// Parses a METH_FASTCALL|METH_KEYWORDS call with at most one argument, positional or named
// `keyword`. Stores -1 for a missing/None/negative value. False with a TypeError set otherwise.
inline bool parse_optional_size(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames,
                                const char* keyword, Py_ssize_t& out) {
  Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  out = -1;
  if (nargs + nkw == 0) return true;
  if (nargs + nkw > 1 ||
      (nkw == 1 && PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), keyword) != 0)) {
    PyErr_Format(PyExc_TypeError, "expected at most one argument, '%s'", keyword);
    return false;
  }
  PyObject* value = args[0];
  if (value == Py_None) return true;
  if (!PyLong_Check(value)) {
    PyErr_Format(PyExc_TypeError, "argument should be integer or None, not '%.200s'",
                 Py_TYPE(value)->tp_name);
    return false;
  }
  Py_ssize_t n = PyLong_AsSsize_t(value);
  if (n == -1 && PyErr_Occurred()) return false;
  out = n < 0 ? -1 : n;
  return true;
}

}  // namespace gf::python
