// The C++ side of one ASGI WebSocket, as the bridge's WebSocketChannel (asgi_bridge.py) sees
// it: a small Python type whose methods reach the connection (accept, send, close, the denial
// response, flow control, the end of the app). Messages and the end of the session travel the
// other way as calls of the channel's _message, _ended and _writable. GIL held throughout.
#pragma once

#include <Python.h>

#include <string_view>
#include <vector>

#include "http/request.hpp"
#include "http/response_sink.hpp"
#include "python/embed/py_ref.hpp"

namespace gf::python {

// The connection under one WebSocket (an HTTP/1 upgrade now). Called on the loop's thread.
class WsEndpoint {
 public:
  virtual ~WsEndpoint() = default;
  // websocket.accept: the 101 response, then frames. Throws std::invalid_argument for headers
  // or a subprotocol that cannot be sent.
  virtual void ws_accept(std::string_view subprotocol, std::vector<http::HeaderField> headers) = 0;
  // Before the accept, an HTTP answer instead: a bare error page (403 for a websocket.close,
  // 500 for an app that failed) ...
  virtual void ws_reject(int status) = 0;
  // ... or the app's own response (the websocket.http.response extension).
  virtual http::ResponseSink& ws_denial() = 0;
  virtual void ws_send(bool text, std::string_view data) = 0;
  virtual void ws_close(int code, std::string_view reason) = 0;
  // True when the client is behind: the channel's _writable() follows once it caught up.
  virtual bool ws_congested() = 0;
  virtual void ws_pause_input(bool pause) = 0;
  // The app's coroutine ended (its channel has closed or answered what needed it).
  virtual void ws_finished() = 0;
};

namespace ws_link {

bool init_type();
PyRef create(WsEndpoint& endpoint);
// The endpoint is going away: the link's methods do nothing from now on.
void detach(PyObject* link);

// The endpoint's events, delivered to the bridge's channel.
void message(PyObject* channel, bool text, std::string_view data);
void ended(PyObject* channel, int code, std::string_view reason);
void writable(PyObject* channel);

}  // namespace ws_link
}  // namespace gf::python
