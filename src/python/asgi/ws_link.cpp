#include "python/asgi/ws_link.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "http/response_policy.hpp"
#include "http/status_phrases.hpp"
#include "http/websocket/ws_frames.hpp"
#include "python/asgi/asgi_messages.hpp"
#include "util/stream.hpp"

namespace gf::python {
namespace {

struct Link {
  PyObject_HEAD WsEndpoint* endpoint;  // null once detached
};

WsEndpoint* endpoint_of(PyObject* self) {
  return reinterpret_cast<Link*>(self)->endpoint;
}

PyObject* runtime_error(const char* what) {
  PyErr_SetString(PyExc_RuntimeError, what);
  return nullptr;
}

// Text as UTF-8 bytes, or bytes as they are; null (error set) for anything else.
bool view_of(PyObject* data, std::string_view& out, bool& text) {
  if (PyBytes_Check(data)) {
    out = {PyBytes_AS_STRING(data), static_cast<size_t>(PyBytes_GET_SIZE(data))};
    text = false;
    return true;
  }
  if (PyUnicode_Check(data)) {
    Py_ssize_t size = 0;
    const char* utf8 = PyUnicode_AsUTF8AndSize(data, &size);
    if (utf8 == nullptr) return false;
    out = {utf8, static_cast<size_t>(size)};
    text = true;
    return true;
  }
  PyErr_SetString(PyExc_TypeError, "WebSocket data must be bytes or str");
  return false;
}

// accept(subprotocol or None, headers)
PyObject* link_accept(PyObject* self, PyObject* args) {
  PyObject* subprotocol = nullptr;
  PyObject* headers = nullptr;
  if (!PyArg_ParseTuple(args, "OO", &subprotocol, &headers)) return nullptr;
  WsEndpoint* endpoint = endpoint_of(self);
  if (endpoint == nullptr) Py_RETURN_NONE;
  std::string_view chosen;
  if (subprotocol != Py_None) {
    bool text = false;
    if (!view_of(subprotocol, chosen, text)) return nullptr;
  }
  std::vector<http::HeaderField> fields;
  if (!asgi_messages::to_header_fields(headers, fields)) return nullptr;
  try {
    endpoint->ws_accept(chosen, std::move(fields));
  } catch (const std::invalid_argument& e) {
    return runtime_error(e.what());
  }
  Py_RETURN_NONE;
}

PyObject* link_reject(PyObject* self, PyObject* status) {
  const long code = PyLong_AsLong(status);
  if (code == -1 && PyErr_Occurred()) return nullptr;
  if (WsEndpoint* endpoint = endpoint_of(self)) endpoint->ws_reject(static_cast<int>(code));
  Py_RETURN_NONE;
}

// deny_start(status, headers): websocket.http.response.start
PyObject* link_deny_start(PyObject* self, PyObject* args) {
  int status = 0;
  PyObject* headers = nullptr;
  if (!PyArg_ParseTuple(args, "iO", &status, &headers)) return nullptr;
  if (status < 100 || status > 999) {
    PyErr_SetString(PyExc_ValueError, "invalid ASGI response status");
    return nullptr;
  }
  std::vector<http::HeaderField> fields;
  if (!asgi_messages::to_header_fields(headers, fields)) return nullptr;
  WsEndpoint* endpoint = endpoint_of(self);
  if (endpoint == nullptr) Py_RETURN_NONE;
  const std::string_view reason = http::status_phrase(status);
  try {
    endpoint->ws_denial().start(fmt::format("{} {}", status, reason.empty() ? "Unknown" : reason),
                                std::move(fields));
  } catch (const http::InvalidResponse& e) {
    return runtime_error(e.what());
  }
  Py_RETURN_NONE;
}

// deny_body(body, more): websocket.http.response.body
PyObject* link_deny_body(PyObject* self, PyObject* args) {
  Py_buffer body;
  int more = 0;
  if (!PyArg_ParseTuple(args, "y*p", &body, &more)) return nullptr;
  WsEndpoint* endpoint = endpoint_of(self);
  try {
    if (endpoint != nullptr) {
      http::ResponseSink& response = endpoint->ws_denial();
      response.write({static_cast<const char*>(body.buf), static_cast<size_t>(body.len)});
      if (!more) response.finish();
    }
  } catch (const util::IoError&) {
    // The client left: the app's coroutine ends as it would after a send to a gone client.
  }
  PyBuffer_Release(&body);
  Py_RETURN_NONE;
}

// send(data) -> True when the client is behind (the channel waits for _writable)
PyObject* link_send(PyObject* self, PyObject* data) {
  std::string_view bytes;
  bool text = false;
  if (!view_of(data, bytes, text)) return nullptr;
  WsEndpoint* endpoint = endpoint_of(self);
  if (endpoint == nullptr) Py_RETURN_FALSE;
  endpoint->ws_send(text, bytes);
  endpoint = endpoint_of(self);  // a broken connection detaches the link meanwhile
  return PyBool_FromLong(endpoint != nullptr && endpoint->ws_congested());
}

PyObject* link_close(PyObject* self, PyObject* args) {
  int code = 1000;
  PyObject* text = nullptr;
  if (!PyArg_ParseTuple(args, "iU", &code, &text)) return nullptr;
  Py_ssize_t reason_size = 0;
  const char* reason = PyUnicode_AsUTF8AndSize(text, &reason_size);
  if (reason == nullptr) return nullptr;
  if (!http::websocket::sendable_close_code(code)) {
    PyErr_Format(PyExc_ValueError, "invalid WebSocket close code %d", code);
    return nullptr;
  }
  if (WsEndpoint* endpoint = endpoint_of(self))
    endpoint->ws_close(code, {reason, static_cast<size_t>(reason_size)});
  Py_RETURN_NONE;
}

PyObject* link_pause(PyObject* self, PyObject* flag) {
  if (WsEndpoint* endpoint = endpoint_of(self)) endpoint->ws_pause_input(PyObject_IsTrue(flag));
  Py_RETURN_NONE;
}

PyObject* link_finished(PyObject* self, PyObject*) {
  if (WsEndpoint* endpoint = std::exchange(reinterpret_cast<Link*>(self)->endpoint, nullptr))
    endpoint->ws_finished();
  Py_RETURN_NONE;
}

PyMethodDef link_methods[] = {
    {"accept", link_accept, METH_VARARGS, "websocket.accept(subprotocol, headers)."},
    {"reject", link_reject, METH_O, "An error page instead of the handshake."},
    {"deny_start", link_deny_start, METH_VARARGS, "websocket.http.response.start."},
    {"deny_body", link_deny_body, METH_VARARGS, "websocket.http.response.body."},
    {"send", link_send, METH_O, "A message; True when the client is behind."},
    {"close", link_close, METH_VARARGS, "The closing handshake (code, reason)."},
    {"pause", link_pause, METH_O, "Stop (True) or resume (False) reading frames."},
    {"finished", link_finished, METH_NOARGS, "The app's coroutine ended."},
    {nullptr, nullptr, 0, nullptr},
};

PyTypeObject link_type = [] {
  PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
  t.tp_name = "greenfork.asgi.WebSocketLink";
  t.tp_basicsize = sizeof(Link);
  t.tp_flags = Py_TPFLAGS_DEFAULT;
  t.tp_methods = link_methods;
  t.tp_doc = "One ASGI WebSocket's connection.";
  return t;
}();

struct Names {
  PyObject* message = PyUnicode_InternFromString("_message");
  PyObject* ended = PyUnicode_InternFromString("_ended");
  PyObject* writable = PyUnicode_InternFromString("_writable");
};

const Names& names() {
  static const Names* n = new Names();  // interned for the rest of the process
  return *n;
}

void call(PyObject* channel, PyObject* name, PyObject* a = nullptr, PyObject* b = nullptr) {
  PyRef result = PyRef::steal(PyObject_CallMethodObjArgs(channel, name, a, b, nullptr));
  if (!result) PyErr_WriteUnraisable(channel);
}

}  // namespace

namespace ws_link {

bool init_type() {
  static const bool ready = PyType_Ready(&link_type) == 0;
  names();
  return ready;
}

PyRef create(WsEndpoint& endpoint) {
  auto* link = PyObject_New(Link, &link_type);
  if (link == nullptr) return PyRef();
  link->endpoint = &endpoint;
  return PyRef::steal(reinterpret_cast<PyObject*>(link));
}

void detach(PyObject* link) {
  if (link != nullptr) reinterpret_cast<Link*>(link)->endpoint = nullptr;
}

void message(PyObject* channel, bool text, std::string_view data) {
  PyRef value = PyRef::steal(
      text ? PyUnicode_DecodeUTF8(data.data(), static_cast<Py_ssize_t>(data.size()), "strict")
           : PyBytes_FromStringAndSize(data.data(), static_cast<Py_ssize_t>(data.size())));
  if (!value) {
    PyErr_WriteUnraisable(channel);
    return;
  }
  call(channel, names().message, value.get());
}

void ended(PyObject* channel, int code, std::string_view reason) {
  PyRef number = PyRef::steal(PyLong_FromLong(code));
  PyRef text = PyRef::steal(
      PyUnicode_DecodeUTF8(reason.data(), static_cast<Py_ssize_t>(reason.size()), "replace"));
  if (!number || !text) {
    PyErr_WriteUnraisable(channel);
    return;
  }
  call(channel, names().ended, number.get(), text.get());
}

void writable(PyObject* channel) {
  call(channel, names().writable);
}

}  // namespace ws_link
}  // namespace gf::python
