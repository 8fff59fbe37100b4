// Gunicorn's gthread worker, event-driven: the connection engine owns accept, reading and
// parsing, keep-alive, pipelining, every timeout and the output queues; the application runs on
// the loop's thread (--threads 1) or on a pool of Python threads, only once a request's head
// (and its body, up to a bound) has arrived, and a response whose client reads slowly is paused
// between chunks - so a slow client costs a buffer, not a thread.
#pragma once

#include <memory>
#include <optional>

#include "engine/engine.hpp"
#include "engine/event_loop.hpp"
#include "http/http1_session.hpp"
#include "python/embed/thread_gil.hpp"
#include "python/wsgi/wsgi_handler.hpp"
#include "workers/loop_worker.hpp"
#include "workers/request_pool.hpp"

namespace gf::workers {

class GthreadWorker final : public LoopWorker {
 public:
  GthreadWorker(WorkerContext& ctx, python::WsgiApp& app, log::AccessLog* access_log);
  ~GthreadWorker() override;

  // Serves until the worker should exit: a graceful stop (TERM, max-requests, parent gone)
  // returns once every connection is finished or closed, or after --graceful-timeout; a quick
  // stop returns at once.
  void run() override;

 private:
  class Session;
  friend class Session;
  struct AppStep {
    bool paused = false;
    RequestEnding ending;
  };

  void on_accepted(const net::Listener& listener, const net::Accepted& client);
  // Runs (or resumes) the application for `session`: inline on the loop's thread, or on a pool
  // thread with the connection lent meanwhile.
  void schedule(Session& session, bool resume);
  AppStep run_app(Session& session, bool resume, python::ThreadGil* gil);
  void after_app(Session& session, const AppStep& step);
  static void run_on_pool(void* context, void* job, python::ThreadGil& gil);

  python::WsgiHandler handler_;
  size_t threads_;
  std::unique_ptr<engine::EventLoop> loop_;
  std::optional<RequestPool> pool_;
};

}  // namespace gf::workers
