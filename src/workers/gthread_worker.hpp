// Gunicorn's gthread worker, event-driven: one Asio loop per worker owns accept, reading and
// parsing, keep-alive, pipelining and every timeout; the application runs on the loop thread
// (--threads 1) or on a pool of Python threads, and only once a request's head (and its body, up
// to a bound) has arrived, so a slow client costs a socket, not a thread.
#pragma once

#include <memory>

#include "log/access_log.hpp"
#include "python/wsgi/wsgi_handler.hpp"
#include "workers/worker_context.hpp"

namespace gf::workers {

class GthreadWorker {
 public:
  // Call with the main thread's GIL released.
  GthreadWorker(WorkerContext& ctx, python::WsgiHandler& handler, log::AccessLog* access_log);
  ~GthreadWorker();
  GthreadWorker(const GthreadWorker&) = delete;
  GthreadWorker& operator=(const GthreadWorker&) = delete;

  // Serves until the worker should exit: a graceful stop (TERM, max-requests, parent gone)
  // returns once every connection is finished or closed, or after --graceful-timeout; a quick
  // stop returns at once.
  void run();

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace gf::workers
