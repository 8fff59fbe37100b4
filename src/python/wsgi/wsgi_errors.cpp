#include "python/wsgi/wsgi_errors.hpp"

#include <unistd.h>

#include <cerrno>

#include "log/error_log.hpp"
#include "python/embed/gil.hpp"

namespace gf::python {
namespace {

struct ErrorsObject {
  PyObject_HEAD
};

// Best effort, like logging: an unwritable log must not turn into an application error.
void write_fd(const char* data, size_t size) {
  GilRelease unlocked;
  int fd = log::ErrorLog::get().fd();
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    size -= static_cast<size_t>(n);
  }
}

bool write_one(PyObject* item) {
  if (PyUnicode_Check(item)) {
    Py_ssize_t size;
    const char* data = PyUnicode_AsUTF8AndSize(item, &size);
    if (data == nullptr) return false;
    write_fd(data, static_cast<size_t>(size));
    return true;
  }
  if (PyBytes_Check(item)) {
    write_fd(PyBytes_AS_STRING(item), static_cast<size_t>(PyBytes_GET_SIZE(item)));
    return true;
  }
  PyErr_Format(PyExc_TypeError, "write() argument must be str, not %.200s", Py_TYPE(item)->tp_name);
  return false;
}

PyObject* errors_write(PyObject*, PyObject* arg) {
  if (!write_one(arg)) return nullptr;
  Py_RETURN_NONE;
}

PyObject* errors_writelines(PyObject*, PyObject* lines) {
  PyRef iter = PyRef::steal(PyObject_GetIter(lines));
  if (!iter) return nullptr;
  while (PyRef item = PyRef::steal(PyIter_Next(iter.get())))
    if (!write_one(item.get())) return nullptr;
  if (PyErr_Occurred()) return nullptr;
  Py_RETURN_NONE;
}

PyObject* errors_flush(PyObject*, PyObject*) {
  Py_RETURN_NONE;
}  // writes are unbuffered

void errors_dealloc(PyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  type->tp_free(self);
  Py_DECREF(type);
}

PyMethodDef errors_methods[] = {
    {"write", errors_write, METH_O, "write(str) -> None"},
    {"writelines", errors_writelines, METH_O, "writelines(iterable of str) -> None"},
    {"flush", errors_flush, METH_NOARGS, "flush() -> None"},
    {nullptr, nullptr, 0, nullptr}};

PyType_Slot errors_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(errors_dealloc)},
                              {Py_tp_methods, errors_methods},
                              {0, nullptr}};

PyType_Spec errors_spec = {"greenfork.ErrorStream", sizeof(ErrorsObject), 0,
                           Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, errors_slots};

}  // namespace

PyRef WsgiErrors::create() {
  static PyTypeObject* type = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&errors_spec));
  return PyRef::steal(reinterpret_cast<PyObject*>(PyObject_New(ErrorsObject, type)));
}

}  // namespace gf::python
