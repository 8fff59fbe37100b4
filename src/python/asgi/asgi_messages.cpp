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

bool to_header_fields(PyObject* headers, std::vector<http::HeaderField>& out) {
  if (headers == nullptr || headers == Py_None) return true;
  PyRef iter = PyRef::steal(PyObject_GetIter(headers));
  if (!iter) return false;
  while (PyRef item = PyRef::steal(PyIter_Next(iter.get()))) {
    PyRef pair = PyRef::steal(PySequence_Fast(item.get(), "ASGI headers must be [name, value]"));
    if (!pair) return false;
    if (PySequence_Fast_GET_SIZE(pair.get()) != 2) {
      PyErr_SetString(PyExc_ValueError, "ASGI headers must be [name, value] pairs");
      return false;
    }
    PyObject** parts = PySequence_Fast_ITEMS(pair.get());
    if (!PyBytes_Check(parts[0]) || !PyBytes_Check(parts[1])) {
      PyErr_SetString(PyExc_TypeError, "ASGI header names and values must be bytes");
      return false;
    }
    out.push_back({std::string(PyBytes_AS_STRING(parts[0]), PyBytes_GET_SIZE(parts[0])),
                   std::string(PyBytes_AS_STRING(parts[1]), PyBytes_GET_SIZE(parts[1]))});
  }
  return !PyErr_Occurred();
}

}  // namespace gf::python::asgi_messages
