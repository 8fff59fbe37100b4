// wsgi.file_wrapper: FileWrapper(filelike, blksize=8192), a C-level type the handler recognises
// in an app's result to send the file with sendfile(); otherwise it iterates in blksize reads.
#pragma once

#include <Python.h>

namespace gf::python {

class FileWrapper {
 public:
  static PyTypeObject* type();  // created on first use; requires the GIL
  static bool check(PyObject* obj) { return PyObject_TypeCheck(obj, type()); }
  static PyObject* filelike(PyObject* wrapper);  // borrowed; wrapper must pass check()
};

}  // namespace gf::python
