// The ASGI `http` scope (spec 2.4) of a request: the connection's part (type, asgi, client,
// server, root_path, extensions) is a model dict built once per connection and copied per
// request, which then gets only its own entries (method, path, headers, ...). Keys are interned
// once per process.
#pragma once

#include <Python.h>

#include <string>
#include <vector>

#include "config/config.hpp"
#include "http/request.hpp"
#include "python/embed/py_ref.hpp"
#include "python/wsgi/wsgi_call.hpp"

namespace gf::python {

class AsgiScope {
 public:
  // Reads root_path once. GIL held.
  explicit AsgiScope(const config::Config& cfg);

  // The entries every request of the connection shares. Throws std::runtime_error (no memory).
  PyRef connection_model(const ConnectionInfo& conn) const;
  // A new scope for `request`: a copy of `model` plus the request's entries, and `state` (the
  // lifespan state, shallow-copied as the spec asks; may be null). Throws std::runtime_error.
  PyRef build(PyObject* model, const http::Request& request, PyObject* state) const;
  // The `websocket` scope of a handshake: as build(), with scheme ws/wss, no method, the
  // offered subprotocols and the websocket.http.response extension.
  PyRef build_websocket(PyObject* model, const http::Request& request, PyObject* state,
                        const std::vector<std::string>& subprotocols) const;

 private:
  std::string root_path_;
};

}  // namespace gf::python
