#include "python/wsgi/client_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

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
  // The app gets its own descriptor for the connection: if it closes (or detaches and later
  // closes) it, the number can be reused at once - by a file or a database connection the app
  // opens next - and the server must never write the response into that, nor close it.
  const int own_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (own_fd < 0) return PyRef::borrow(Py_None);
  auto* type = reinterpret_cast<PyTypeObject*>(socket_type_.get());
  auto* base = reinterpret_cast<PyTypeObject*>(base_type_.get());
  // Explicit family/type/proto: _socket only validates the fd (one getsockname), no probing.
  PyRef args = PyRef::steal(Py_BuildValue("(iiii)", family, SOCK_STREAM, 0, own_fd));
  PyRef empty = PyRef::steal(PyTuple_New(0));
  if (!args || !empty) return PyErr_Clear(), ::close(own_fd), PyRef::borrow(Py_None);
  PyRef sock = PyRef::steal(type->tp_new(type, empty.get(), nullptr));
  if (!sock || base->tp_init(sock.get(), args.get(), nullptr) < 0 ||
      PyObject_SetAttr(sock.get(), io_refs_name_.get(), zero_.get()) < 0 ||
      PyObject_SetAttr(sock.get(), closed_name_.get(), Py_False) < 0) {
    PyErr_Clear();
    if (sock) take_fd(sock.get());  // so that its deallocation does not close own_fd too
    ::close(own_fd);
    return PyRef::borrow(Py_None);
  }
  return sock;
}

long ClientSocket::take_fd(PyObject* sock) const {
  PyRef fd = PyRef::steal(PyObject_CallOneArg(base_detach_.get(), sock));
  const long taken = fd ? PyLong_AsLong(fd.get()) : -1;
  PyErr_Clear();
  return taken;
}

void ClientSocket::detach(PyObject* sock) const {
  if (sock == nullptr || sock == Py_None || !base_detach_) return;
  // -1 when the app closed or detached it (then the duplicate is the app's business).
  const long own_fd = take_fd(sock);
  if (own_fd >= 0) ::close(static_cast<int>(own_fd));
}

}  // namespace gf::python
