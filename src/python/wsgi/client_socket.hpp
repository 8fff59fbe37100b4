// environ["gunicorn.socket"]: a socket.socket over a duplicate of the client fd, built through
// the C layer (no socket.py code per request). The app may close or detach it; the server's own
// descriptor stays valid either way, and the duplicate is closed after the request.
#pragma once

#include "python/embed/py_ref.hpp"

namespace gf::python {

class ClientSocket {
 public:
  ClientSocket();  // imports socket/_socket once; requires the GIL

  // None when fd < 0. A Python error while creating it also yields None (the app rarely needs
  // the socket; the request should not fail for it).
  PyRef create(int fd, int family) const;
  void detach(PyObject* sock) const;  // and close the duplicate, unless the app did

 private:
  long take_fd(PyObject* sock) const;  // _socket.socket.detach(): the fd, or -1

  PyRef socket_type_;   // socket.socket
  PyRef base_type_;     // _socket.socket (its C tp_init does the work)
  PyRef base_detach_;   // _socket.socket.detach, bypassing socket.socket.detach's Python code
  PyRef io_refs_name_;  // "_io_refs" / "_closed": the slots socket.socket.__init__ would set
  PyRef closed_name_;
  PyRef zero_;
};

}  // namespace gf::python
