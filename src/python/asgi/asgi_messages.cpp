#include "python/asgi/asgi_messages.hpp"

namespace gf::python::asgi_messages {
namespace {

struct Names {
  PyObject* type;
  PyObject* body;
  PyObject* more_body;
  PyObject* http_request;
  PyObject* http_disconnect;
};

Names* names = nullptr;  // interned for the rest of the process

}  // namespace

bool init() {
  if (names != nullptr) return true;
  auto* n =
      new Names{PyUnicode_InternFromString("type"), PyUnicode_InternFromString("body"),
                PyUnicode_InternFromString("more_body"), PyUnicode_InternFromString("http.request"),
                PyUnicode_InternFromString("http.disconnect")};
  if (!n->type || !n->body || !n->more_body || !n->http_request || !n->http_disconnect) {
    delete n;
    return false;
  }
  names = n;
  return true;
}

PyRef disconnect() {
  PyRef message = PyRef::steal(PyDict_New());
  if (message && PyDict_SetItem(message.get(), names->type, names->http_disconnect) < 0)
    return PyRef();
  return message;
}

PyRef request(PyObject* body, bool more) {
  PyRef message = PyRef::steal(PyDict_New());
  if (!message || PyDict_SetItem(message.get(), names->type, names->http_request) < 0 ||
      PyDict_SetItem(message.get(), names->body, body) < 0 ||
      PyDict_SetItem(message.get(), names->more_body, more ? Py_True : Py_False) < 0)
    return PyRef();
  return message;
}

}  // namespace gf::python::asgi_messages
