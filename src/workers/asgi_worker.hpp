// Gunicorn's asgi worker (also selected by uvicorn's worker class paths): one asyncio loop per
// worker (uvloop when asgi_loop allows) runs both the connection engine - through
// python::AsyncioReactor - and the app's coroutines. Requests are parsed, limited and answered
// by the same HTTP/1 session, response policy and timeouts as gthread's; the ASGI side
// (python::AsgiRuntime, asgi_channel) sees a neutral stream. Lifespan startup runs before the
// worker accepts, shutdown after its last connection.
#pragma once

#include <memory>

#include "engine/engine.hpp"
#include "http/websocket/ws_session.hpp"
#include "python/asgi/asgi_runtime.hpp"
#include "python/asgi/asyncio_reactor.hpp"
#include "workers/loop_worker.hpp"

namespace gf::workers {

class AsgiWorker final : public LoopWorker {
 public:
  // Runs the lifespan startup: throws python::AppBootError when the app refuses to start.
  AsgiWorker(WorkerContext& ctx, python::WsgiApp& app, log::AccessLog* access_log);
  ~AsgiWorker() override;

  // Serves until a graceful stop (all connections done, or --graceful-timeout) or a quick stop;
  // then the lifespan shutdown.
  void run() override;

 private:
  class Session;
  friend class Session;

  void on_accepted(const net::Listener& listener, const net::Accepted& client);

  python::AsgiRuntime runtime_;
  http::websocket::WsSettings ws_settings_;
  std::unique_ptr<python::AsyncioReactor> reactor_;
};

}  // namespace gf::workers
