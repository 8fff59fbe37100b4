// Gunicorn's sync worker: one connection at a time, exactly one request per connection,
// "Connection: close" on every response, accept over all listeners, heartbeat while idle.
#pragma once

#include <sys/socket.h>

#include <vector>

#include "http/parser_options.hpp"
#include "log/access_log.hpp"
#include "net/listener.hpp"
#include "python/wsgi/wsgi_handler.hpp"
#include "workers/connection_setup.hpp"
#include "workers/worker_context.hpp"

namespace gf::workers {

class SyncWorker {
 public:
  SyncWorker(WorkerContext& ctx, python::WsgiHandler& handler, log::AccessLog* access_log);
  void run();  // returns when the worker should exit

 private:
  bool accept_one(const net::Listener& listener);  // false when nothing was pending
  void handle(const net::Listener& listener, int client_fd, const sockaddr_storage& addr,
              socklen_t addr_len);
  void wait_for_clients();
  void after_request();

  WorkerContext& ctx_;
  python::WsgiHandler& handler_;
  log::AccessLog* access_log_;
  http::ParserOptions parser_options_;
  ConnectionSetup setup_;
  int poll_timeout_ms_;
  uint64_t requests_ = 0;
  uint64_t max_requests_;
};

}  // namespace gf::workers
