#include "python/client_socket.hpp"

#include <sys/socket.h>

namespace gf::python {

ClientSocket::ClientSocket() {
  PyRef socket_module = PyRef::steal(PyImport_ImportModule("socket"));
  PyRef base_module = PyRef::steal(PyImport_ImportModule("_socket"));
  if (socket_module && base_module) {
    socket_type_ = PyRef::steal(PyObject_GetAttrString(socket_module.get(), "socket"));
    base_type_ = PyRef::steal(PyObject_GetAttrString(base_module.get(), "socket"));
    if (base_type_) base_detach_ = PyRef::steal(PyObject_GetAttrString(base_type_.get(), "detach"));
  }
  io_refs_name_ = PyRef::steal(PyUnicode_InternFromString("_io_refs"));
  closed_name_ = PyRef::steal(PyUnicode_InternFromString("_closed"));
  zero_ = PyRef::steal(PyLong_FromLong(0));
  if (!socket_type_ || !base_type_ || !base_detach_ || !PyType_Check(socket_type_.get()) ||
      !PyType_Check(base_type_.get())) {
    PyErr_Clear();
    socket_type_.reset();
  }
}

PyRef ClientSocket::create(int fd, int family) const {
  if (fd < 0 || !socket_type_) return PyRef::borrow(Py_None);
  auto* type = reinterpret_cast<PyTypeObject*>(socket_type_.get());
  auto* base = reinterpret_cast<PyTypeObject*>(base_type_.get());
  // Explicit family/type/proto: _socket only validates the fd (one getsockname), no probing.
  PyRef args = PyRef::steal(Py_BuildValue("(iiii)", family, SOCK_STREAM, 0, fd));
  PyRef empty = PyRef::steal(PyTuple_New(0));
  if (!args || !empty) return PyErr_Clear(), PyRef::borrow(Py_None);
  PyRef sock = PyRef::steal(type->tp_new(type, empty.get(), nullptr));
  if (!sock || base->tp_init(sock.get(), args.get(), nullptr) < 0 ||
      PyObject_SetAttr(sock.get(), io_refs_name_.get(), zero_.get()) < 0 ||
      PyObject_SetAttr(sock.get(), closed_name_.get(), Py_False) < 0) {
    PyErr_Clear();
    if (sock) detach(sock.get());
    return PyRef::borrow(Py_None);
  }
  return sock;
}

void ClientSocket::detach(PyObject* sock) const {
  if (sock == nullptr || sock == Py_None || !base_detach_) return;
  PyRef fd = PyRef::steal(PyObject_CallOneArg(base_detach_.get(), sock));
  if (!fd) PyErr_Clear();
}

}  // namespace gf::python
