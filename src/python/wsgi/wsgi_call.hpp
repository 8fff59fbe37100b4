// One request's life inside the WSGI adapter: what the worker tells it about the connection
// (ConnectionInfo), the Python objects made for the request, and where its response stands, kept
// across a pause for back-pressure. A worker keeps one WsgiCall per connection and reuses it.
#pragma once

#include <chrono>
#include <string>

#include "http/body_source.hpp"
#include "http/parser_options.hpp"
#include "http/request.hpp"
#include "http/response_sink.hpp"
#include "python/embed/py_ref.hpp"
#include "python/wsgi/request_state.hpp"
#include "python/wsgi/response_body.hpp"
#include "python/wsgi/wsgi_environ.hpp"

namespace gf::python {

// A keep-alive worker's per-connection Python objects, shared by all of the connection's
// requests: environ["gunicorn.socket"] (one object for the whole connection, as in Gunicorn) and
// the model environ that already holds the entries the same for the whole connection (copied
// per request, which is cheaper than inserting them again). The worker hands it to
// WsgiHandler::release_connection() (GIL held) when the connection ends.
struct ConnectionCache {
  PyRef socket;
  PyRef environ;
  bool empty() const { return !socket && !environ; }
};

// Where the request came in: filled by the worker from accept() and the listener.
struct ConnectionInfo {
  const http::PeerInfo* peer = nullptr;
  std::string server_name;  // listener's getsockname() host ("" for UNIX sockets)
  std::string server_port;  // listener's port as text ("" for UNIX sockets)
  int socket_fd = -1;       // the client socket, exposed as environ["gunicorn.socket"]
  int socket_family = 0;    // AF_INET / AF_INET6 / AF_UNIX
  // Null: the Python objects are made per request (a worker that serves one request per
  // connection).
  ConnectionCache* cache = nullptr;
};

// Per-request outcome the worker needs (counting, keep-alive decisions).
struct RequestOutcome {
  bool close_connection = true;  // the response (or an error) requires closing
  int status_code = 0;
};

class WsgiCall {
 public:
  WsgiCall() = default;
  WsgiCall(const WsgiCall&) = delete;
  WsgiCall& operator=(const WsgiCall&) = delete;

  // Paused in the middle of its response (holds Python objects: end it with the GIL held).
  bool paused() const { return paused_; }
  // Valid once the call is done.
  const RequestOutcome& outcome() const { return outcome_; }

 private:
  friend class WsgiHandler;
  struct Clock {
    std::chrono::system_clock::time_point wall_start;  // %(t)s
    std::chrono::steady_clock::time_point start;       // request duration
  };

  const http::Request* request_ = nullptr;
  http::ResponseSink* response_ = nullptr;
  const ConnectionInfo* conn_ = nullptr;
  RequestState state_;
  Clock clock_;
  EnvironSummary summary_;
  PyRef environ_;
  PyRef input_;                    // wsgi.input
  PyRef start_response_;           // start_response (and its write)
  PyRef socket_;                   // gunicorn.socket
  PyRef hook_request_;             // post_request's `req`, when request hooks are active
  bool hook_has_response_ = true;  // false: post_request gets resp=None (the app never ran)
  PyRef result_;
  BodyCursor cursor_;
  bool paused_ = false;
  RequestOutcome outcome_;
};

}  // namespace gf::python
