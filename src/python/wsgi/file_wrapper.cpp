#include "python/wsgi/file_wrapper.hpp"

#include <structmember.h>

#include "python/embed/py_ref.hpp"

namespace gf::python {
namespace {

struct WrapperObject {
  PyObject_HEAD PyObject* filelike;
  Py_ssize_t blksize;
};

WrapperObject* as_wrapper(PyObject* self) {
  return reinterpret_cast<WrapperObject*>(self);
}

PyObject* read_name() {
  static PyObject* name = PyUnicode_InternFromString("read");
  return name;
}

PyObject* close_name() {
  static PyObject* name = PyUnicode_InternFromString("close");
  return name;
}

int wrapper_init(PyObject* self, PyObject* args, PyObject* kwargs) {
  static const char* keywords[] = {"filelike", "blksize", nullptr};
  PyObject* filelike = nullptr;
  Py_ssize_t blksize = 8192;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|n:FileWrapper", const_cast<char**>(keywords),
                                   &filelike, &blksize))
    return -1;
  if (blksize <= 0) {
    PyErr_SetString(PyExc_ValueError, "blksize must be positive");
    return -1;
  }
  WrapperObject* w = as_wrapper(self);
  Py_INCREF(filelike);
  Py_XSETREF(w->filelike, filelike);
  w->blksize = blksize;
  return 0;
}

PyObject* read_block(PyObject* self) {
  WrapperObject* w = as_wrapper(self);
  if (w->filelike == nullptr) {
    PyErr_SetString(PyExc_ValueError, "FileWrapper is not initialized");
    return nullptr;
  }
  PyRef size = PyRef::steal(PyLong_FromSsize_t(w->blksize));
  if (!size) return nullptr;
  return PyObject_CallMethodOneArg(w->filelike, read_name(), size.get());
}

// Truthy data is a block; anything falsy (b"", "") ends the file.
PyObject* next_block(PyObject* self, PyObject* end_exception) {
  PyRef data = PyRef::steal(read_block(self));
  if (!data) return nullptr;
  int truth = PyObject_IsTrue(data.get());
  if (truth < 0) return nullptr;
  if (truth) return data.release();
  if (end_exception != nullptr) PyErr_SetNone(end_exception);
  return nullptr;
}

PyObject* wrapper_next(PyObject* self) {
  return next_block(self, nullptr);
}

// The pre-iterator protocol (wrapper[i]) that old WSGI servers used.
PyObject* wrapper_getitem(PyObject* self, PyObject*) {
  return next_block(self, PyExc_IndexError);
}

PyObject* wrapper_close(PyObject* self, PyObject*) {
  WrapperObject* w = as_wrapper(self);
  if (w->filelike != nullptr) {
    PyRef close = PyRef::steal(PyObject_GetAttr(w->filelike, close_name()));
    if (!close) {
      if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return nullptr;
      PyErr_Clear();  // a file-like without close() has nothing to release
    } else if (!PyRef::steal(PyObject_CallNoArgs(close.get()))) {
      return nullptr;
    }
  }
  Py_RETURN_NONE;
}

int wrapper_traverse(PyObject* self, visitproc visit, void* arg) {
  Py_VISIT(Py_TYPE(self));
  Py_VISIT(as_wrapper(self)->filelike);
  return 0;
}

int wrapper_clear(PyObject* self) {
  Py_CLEAR(as_wrapper(self)->filelike);
  return 0;
}

void wrapper_dealloc(PyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  wrapper_clear(self);
  type->tp_free(self);
  Py_DECREF(type);
}

PyMemberDef wrapper_members[] = {
    {"filelike", T_OBJECT, offsetof(WrapperObject, filelike), READONLY, "the wrapped file"},
    {"blksize", T_PYSSIZET, offsetof(WrapperObject, blksize), READONLY, "bytes per read"},
    {nullptr, 0, 0, 0, nullptr}};

PyMethodDef wrapper_methods[] = {
    {"close", wrapper_close, METH_NOARGS, "close() -> None; closes the wrapped file"},
    {nullptr, nullptr, 0, nullptr}};

PyType_Slot wrapper_slots[] = {
    {Py_tp_init, reinterpret_cast<void*>(wrapper_init)},
    {Py_tp_new, reinterpret_cast<void*>(PyType_GenericNew)},
    {Py_tp_dealloc, reinterpret_cast<void*>(wrapper_dealloc)},
    {Py_tp_traverse, reinterpret_cast<void*>(wrapper_traverse)},
    {Py_tp_clear, reinterpret_cast<void*>(wrapper_clear)},
    {Py_tp_iter, reinterpret_cast<void*>(PyObject_SelfIter)},
    {Py_tp_iternext, reinterpret_cast<void*>(wrapper_next)},
    {Py_mp_subscript, reinterpret_cast<void*>(wrapper_getitem)},
    {Py_tp_members, wrapper_members},
    {Py_tp_methods, wrapper_methods},
    {Py_tp_doc, const_cast<char*>("FileWrapper(filelike, blksize=8192): wsgi.file_wrapper")},
    {0, nullptr}};

PyType_Spec wrapper_spec = {"greenfork.FileWrapper", sizeof(WrapperObject), 0,
                            Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
                            wrapper_slots};

}  // namespace

PyTypeObject* FileWrapper::type() {
  static PyTypeObject* type = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&wrapper_spec));
  return type;
}

PyObject* FileWrapper::filelike(PyObject* wrapper) {
  return as_wrapper(wrapper)->filelike;
}

}  // namespace gf::python
