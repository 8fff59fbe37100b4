// What an ASGI worker process runs Python with: the asyncio loop (uvloop with asgi_loop auto or
// uvloop), the app as a single callable (ASGI 2 apps wrapped), the lifespan protocol, the scope
// builder and the start of each request's Task. GIL held for every call.
#pragma once

#include <Python.h>

#include "config/config.hpp"
#include "http/request.hpp"
#include "log/access_log.hpp"
#include "python/app/wsgi_app.hpp"
#include "python/asgi/asgi_channel.hpp"
#include "python/asgi/asgi_scope.hpp"
#include "python/asgi/ws_link.hpp"
#include "python/embed/py_ref.hpp"
#include "python/wsgi/wsgi_call.hpp"

namespace gf::python {

class AsgiRuntime {
 public:
  // Creates the loop and readies the app. Throws AppBootError (logged) when that fails.
  AsgiRuntime(WsgiApp& app, const config::Config& cfg, log::AccessLog* access_log);
  ~AsgiRuntime();
  AsgiRuntime(const AsgiRuntime&) = delete;
  AsgiRuntime& operator=(const AsgiRuntime&) = delete;

  // Lifespan startup, before the worker accepts. Throws AppBootError with the app's message
  // when it failed (lifespan.startup.failed, or an error with asgi_lifespan on).
  void startup();
  // After the last connection: lifespan shutdown (bounded by `timeout_s`), then the tasks the
  // app left behind are cancelled.
  void shutdown(double timeout_s);

  PyObject* loop() const { return loop_.get(); }
  // The part of every scope a connection shares (see AsgiScope).
  PyRef connection_model(const ConnectionInfo& conn) const { return scope_.connection_model(conn); }
  // Starts the app's Task for `request` and returns its channel, or null after logging why it
  // could not start (the caller answers 500).
  PyRef start(AsgiStream& stream, const http::Request& request, const http::PeerInfo& peer,
              PyObject* model);

  // A WebSocket handshake: starts the app's Task with a websocket scope and returns the bridge's
  // WebSocketChannel (`link` gets its WebSocketLink over `endpoint`), or null after logging why
  // it could not start.
  PyRef start_websocket(WsEndpoint& endpoint, const http::Request& request, PyObject* model,
                        const std::vector<std::string>& subprotocols, PyRef& link, PyRef& task);

  // What the loop's pending tasks await (their stacks), for a WORKER TIMEOUT dump. Any thread,
  // GIL held; "" when that cannot be told.
  std::string describe_tasks() const;

  // True when `app` is certainly an ASGI 3 application (for the WSGI workers' start-up check).
  static bool looks_like_asgi(PyObject* app);

 private:
  PyRef bridge_;  // asgi_bridge.py's namespace
  PyRef loop_;
  PyRef app_;
  PyRef run_request_;
  PyRef run_websocket_;
  PyRef websocket_channel_;  // the bridge's WebSocketChannel class
  PyRef log_error_;          // the error log, as a Python callable for the bridge
  PyRef lifespan_;
  PyRef state_;        // the lifespan state every scope gets a copy of
  PyRef create_task_;  // loop.create_task
  AsgiScope scope_;
  AsgiChannelContext channel_context_;
};

}  // namespace gf::python
