// Gunicorn's sync worker: one connection at a time, exactly one request per connection,
// "Connection: close" on every response, accept over all listeners, heartbeat while idle. It
// blocks on its client (bounded by timeout/2), so it is meant to sit behind a buffering proxy.
#pragma once

#include <memory>

#include "http/request_reader.hpp"
#include "net/acceptor.hpp"
#include "net/listener.hpp"
#include "python/wsgi/wsgi_handler.hpp"
#include "workers/worker_base.hpp"

namespace gf::workers {

class SyncWorker final : public WorkerBase {
 public:
  SyncWorker(WorkerContext& ctx, python::WsgiApp& app, log::AccessLog* access_log);
  void run() override;

 private:
  bool accept_one(const net::Listener& listener);  // false when nothing was pending
  void handle(const net::Listener& listener, const net::Accepted& client);
  bool serve(const net::Listener& listener, http::RequestReader& reader, util::ByteSink& out,
             const http::PeerInfo& peer, int fd);
  void wait_for_clients();

  python::WsgiHandler handler_;
  int poll_timeout_ms_;
};

}  // namespace gf::workers
