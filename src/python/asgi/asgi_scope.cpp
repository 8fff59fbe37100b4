#include "python/asgi/asgi_scope.hpp"

#include <stdexcept>

#include "http/target.hpp"
#include "python/wsgi/environ_keys.hpp"

namespace gf::python {
namespace {

struct ScopeKeys {
  PyObject* type;
  PyObject* asgi;
  PyObject* http_version;
  PyObject* server;
  PyObject* client;
  PyObject* scheme;
  PyObject* method;
  PyObject* root_path;
  PyObject* path;
  PyObject* raw_path;
  PyObject* query_string;
  PyObject* headers;
  PyObject* state;
  PyObject* extensions;
  PyObject* subprotocols;
  PyObject* websocket;  // "websocket"
  PyObject* http;       // "http" (the type, and a scheme)
  PyObject* v1_0;       // "1.0"
  PyObject* v1_1;       // "1.1"
  PyObject* asgi_id;    // {"version": "3.0", "spec_version": "2.4"}, shared by every scope

  static const ScopeKeys& get() {
    static const ScopeKeys* keys = [] {
      auto* k = new ScopeKeys();  // lives for the rest of the process
      k->type = PyUnicode_InternFromString("type");
      k->asgi = PyUnicode_InternFromString("asgi");
      k->http_version = PyUnicode_InternFromString("http_version");
      k->server = PyUnicode_InternFromString("server");
      k->client = PyUnicode_InternFromString("client");
      k->scheme = PyUnicode_InternFromString("scheme");
      k->method = PyUnicode_InternFromString("method");
      k->root_path = PyUnicode_InternFromString("root_path");
      k->path = PyUnicode_InternFromString("path");
      k->raw_path = PyUnicode_InternFromString("raw_path");
      k->query_string = PyUnicode_InternFromString("query_string");
      k->headers = PyUnicode_InternFromString("headers");
      k->state = PyUnicode_InternFromString("state");
      k->extensions = PyUnicode_InternFromString("extensions");
      k->subprotocols = PyUnicode_InternFromString("subprotocols");
      k->websocket = PyUnicode_InternFromString("websocket");
      k->http = PyUnicode_InternFromString("http");
      k->v1_0 = PyUnicode_InternFromString("1.0");
      k->v1_1 = PyUnicode_InternFromString("1.1");
      k->asgi_id = Py_BuildValue("{s:s,s:s}", "version", "3.0", "spec_version", "2.4");
      return k;
    }();
    return *keys;
  }
};

PyRef bytes(std::string_view text) {
  return PyRef::steal(PyBytes_FromStringAndSize(text.data(), static_cast<Py_ssize_t>(text.size())));
}

PyRef text(std::string_view utf8) {
  // Decoded like uvicorn's urllib.parse.unquote: bytes that are not UTF-8 become U+FFFD.
  return PyRef::steal(
      PyUnicode_DecodeUTF8(utf8.data(), static_cast<Py_ssize_t>(utf8.size()), "replace"));
}

void set(PyObject* dict, PyObject* key, const PyRef& value) {
  if (!value || PyDict_SetItem(dict, key, value.get()) < 0) {
    PyErr_Clear();
    throw std::runtime_error("cannot build the ASGI scope");
  }
}

PyRef address(const std::string& host, int port) {
  PyRef name = text(host);
  PyRef number = PyRef::steal(PyLong_FromLong(port));
  if (!name || !number) return PyRef();
  return PyRef::steal(PyTuple_Pack(2, name.get(), number.get()));
}

PyRef header_list(const std::vector<http::HeaderField>& headers) {
  PyRef list = PyRef::steal(PyList_New(static_cast<Py_ssize_t>(headers.size())));
  if (!list) return list;
  for (size_t i = 0; i < headers.size(); ++i) {
    const http::HeaderField& h = headers[i];
    PyRef name = bytes(h.lower_name());
    PyRef value = bytes(h.value);
    PyObject* pair = name && value ? PyTuple_Pack(2, name.get(), value.get()) : nullptr;
    if (pair == nullptr) return PyRef();
    PyList_SET_ITEM(list.get(), static_cast<Py_ssize_t>(i), pair);
  }
  return list;
}

}  // namespace

AsgiScope::AsgiScope(const config::Config& cfg) : root_path_(cfg.get(config::settings::root_path)) {
  ScopeKeys::get();
}

PyRef AsgiScope::connection_model(const ConnectionInfo& conn) const {
  const ScopeKeys& k = ScopeKeys::get();
  PyRef model = PyRef::steal(PyDict_New());
  if (!model) throw std::runtime_error("cannot build the ASGI scope");
  set(model.get(), k.type, PyRef::borrow(k.http));
  set(model.get(), k.asgi, PyRef::borrow(k.asgi_id));
  const http::PeerInfo& peer = *conn.peer;
  set(model.get(), k.client, peer.is_unix ? PyRef::borrow(Py_None) : address(peer.addr, peer.port));
  set(model.get(), k.server,
      conn.server_name.empty() ? PyRef::borrow(Py_None)
                               : address(conn.server_name, std::stoi(conn.server_port)));
  set(model.get(), k.root_path, text(root_path_));
  set(model.get(), k.extensions, PyRef::steal(Py_BuildValue("{s:{}}", "http.response.pathsend")));
  return model;
}

PyRef AsgiScope::build(PyObject* model, const http::Request& request, PyObject* state) const {
  const ScopeKeys& k = ScopeKeys::get();
  PyRef scope = PyRef::steal(PyDict_Copy(model));
  if (!scope) throw std::runtime_error("cannot build the ASGI scope");
  PyObject* dict = scope.get();
  set(dict, k.http_version,
      PyRef::borrow(request.version_minor == 0 && request.version_major == 1 ? k.v1_0 : k.v1_1));
  set(dict, k.scheme, text(request.url_scheme));
  PyObject* common = EnvironKeys::get().method(request.method);  // interned: no new str
  set(dict, k.method, common != nullptr ? PyRef::borrow(common) : text(request.method));
  set(dict, k.path, text(http::percent_decode(request.path)));
  set(dict, k.raw_path, bytes(request.path));
  set(dict, k.query_string, bytes(request.query));
  set(dict, k.headers, header_list(request.headers));
  // A trusted proxy's SCRIPT_NAME (the header policy lets it through only from forwarders, as
  // for WSGI) names the mount point; otherwise root_path stays the setting's.
  if (const std::string* script = request.find("SCRIPT_NAME"))
    set(dict, k.root_path, text(*script));
  if (request.proxy && request.proxy->client_addr)
    set(dict, k.client,
        address(*request.proxy->client_addr, request.proxy->client_port.value_or(0)));
  if (state != nullptr) set(dict, k.state, PyRef::steal(PyDict_Copy(state)));
  return scope;
}

PyRef AsgiScope::build_websocket(PyObject* model, const http::Request& request, PyObject* state,
                                 const std::vector<std::string>& subprotocols) const {
  const ScopeKeys& k = ScopeKeys::get();
  PyRef scope = build(model, request, state);
  PyObject* dict = scope.get();
  if (PyDict_DelItem(dict, k.method) < 0) PyErr_Clear();
  set(dict, k.type, PyRef::borrow(k.websocket));
  set(dict, k.scheme, text(request.url_scheme == "https" ? "wss" : "ws"));
  PyRef offered = PyRef::steal(PyList_New(static_cast<Py_ssize_t>(subprotocols.size())));
  if (!offered) throw std::runtime_error("cannot build the ASGI scope");
  for (size_t i = 0; i < subprotocols.size(); ++i) {
    PyRef name = text(subprotocols[i]);
    if (!name) throw std::runtime_error("cannot build the ASGI scope");
    PyList_SET_ITEM(offered.get(), static_cast<Py_ssize_t>(i), name.release());
  }
  set(dict, k.subprotocols, offered);
  set(dict, k.extensions, PyRef::steal(Py_BuildValue("{s:{}}", "websocket.http.response")));
  return scope;
}

}  // namespace gf::python
