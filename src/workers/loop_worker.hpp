// What the worker types that serve connections from an event loop (gthread, asgi) share over
// WorkerBase: their settings, the engine, the signal and sweep handling, the keep-alive
// decision and the opening of accepted connections. Each type adds who runs the application.
#pragma once

#include <memory>

#include "engine/engine.hpp"
#include "engine/reactor.hpp"
#include "log/error_log.hpp"
#include "net/plain_transport.hpp"
#include "workers/loop_settings.hpp"
#include "workers/worker_base.hpp"

namespace gf::workers {

class LoopWorker : public WorkerBase {
 protected:
  LoopWorker(WorkerContext& ctx, log::AccessLog* access_log, bool app_on_loop_thread)
      : WorkerBase(ctx, access_log),
        settings_(ctx, parser_options_, graceful_ns(), app_on_loop_thread) {}

  // The reactor's callbacks: a signal (TERM begins a graceful stop, INT/QUIT stops `reactor` at
  // once), and each sweep (heartbeat, parent check).
  void on_signal(engine::Reactor& reactor);
  void on_tick();
  // The connection may wait for another request: keep-alive is on and the worker is not
  // stopping or at its connection cap.
  bool keep_alive_allowed() const;

  // Hands a new client to the engine, with the protocol `make(connection, peer)` builds.
  template <typename MakeSession>
  void open_connection(const net::Accepted& client, MakeSession&& make) {
    try {
      engine_->open(std::make_unique<net::PlainTransport>(client.fd),
                    [&](engine::Connection& connection) {
                      return make(connection, setup_.peer(client.addr, client.addr_len));
                    });
    } catch (const std::exception& e) {
      log::ErrorLog::get().error("Cannot serve a new connection: {}", e.what());
    }
  }

  LoopSettings settings_;
  std::unique_ptr<engine::Engine> engine_;
};

}  // namespace gf::workers
