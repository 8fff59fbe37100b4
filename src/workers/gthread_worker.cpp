// GthreadWorker: the engine and its event loop, HTTP/1 sessions on each connection, and the
// hand-off of complete requests to the application, inline or through the RequestPool.
#include "workers/gthread_worker.hpp"

#include <algorithm>

#include "http/http1_response.hpp"
#include "log/error_log.hpp"
#include "python/configuration/hooks.hpp"
#include "python/embed/main_thread_gil.hpp"
#include "util/heartbeat_table.hpp"
#include "workers/worker_signals.hpp"

namespace gf::workers {
namespace {

// After a response, unread body bytes are skipped up to this much, as Gunicorn's gthread does;
// a longer body closes the connection instead.
constexpr size_t kDrainBodyBytes = 64 * 1024;

}  // namespace

// One connection: HTTP/1 from the engine's side, and on the application's side the WSGI call,
// its response and the Python objects its requests share.
class GthreadWorker::Session final : public http::Http1Session {
 public:
  Session(engine::Connection& connection, GthreadWorker& worker, const net::Listener& listener,
          const http::PeerInfo& peer)
      : Http1Session(connection, worker.settings_.session, peer),
        worker_(worker),
        info_(ConnectionSetup::connection(listener, connection.transport().fd(), this->peer())) {
    info_.cache = &cache_;
  }

  python::WsgiCall call;
  std::optional<http::Http1Response> response;
  python::ConnectionInfo& info() { return info_; }
  python::ConnectionCache& cache() { return cache_; }
  bool resuming = false;  // what the pool thread is asked to do

 private:
  void run_request() override { worker_.schedule(*this, /*resume=*/false); }
  void resume_response() override { worker_.schedule(*this, /*resume=*/true); }
  void abandon_response() override {
    if (!call.paused()) return;
    python::WithGil gil;
    worker_.handler_.abandon(call);
  }
  void release() override {
    response.reset();
    if (cache_.empty()) return;
    python::WithGil gil;
    worker_.handler_.release_connection(cache_);
  }

  GthreadWorker& worker_;
  // Python objects for all of the connection's requests; dropped with the GIL held (release()),
  // never by the destructor.
  python::ConnectionCache cache_;
  python::ConnectionInfo info_;  // what the app's environ says of the connection (built once)
};

GthreadWorker::GthreadWorker(WorkerContext& ctx, python::WsgiApp& app, log::AccessLog* access_log)
    : LoopWorker(ctx, access_log,
                 /*app_on_loop_thread=*/ctx.cfg.get(config::settings::threads) <= 1),
      handler_(app, ctx.cfg, access_log, ctx.cfg.get(config::settings::threads) > 1),
      threads_(static_cast<size_t>(std::max<int64_t>(1, ctx.cfg.get(config::settings::threads)))) {}

GthreadWorker::~GthreadWorker() {
  engine_.reset();  // its connections go before the loop that watches them
}

void GthreadWorker::run() {
  loop_ = std::make_unique<engine::EventLoop>(ctx_.listeners, WorkerSignals::wakeup_fd());
  engine_ = std::make_unique<engine::Engine>(*loop_, settings_.limits);
  if (threads_ > 1) pool_.emplace(threads_, &GthreadWorker::run_on_pool, this);
  loop_->run(*engine_,
             {.accepted = [this](const net::Listener& listener,
                                 const net::Accepted& client) { on_accepted(listener, client); },
              .signaled = [this] { on_signal(*loop_); },
              .tick = [this] { on_tick(); }});
  if (pool_) {
    if (WorkerSignals::quick_signal() != 0) {
      // Threads are stuck in the application: the process ends now, leaving them be (the
      // caller does not destroy this worker after a quick stop).
      pool_->abandon();
      return;
    }
    pool_.reset();  // lets requests still running finish (the master's kill bounds this)
  }
  // Connections left at a graceful timeout: their sessions release Python objects themselves.
  engine_->close_all(/*including_lent=*/true);
}

void GthreadWorker::on_accepted(const net::Listener& listener, const net::Accepted& client) {
  open_connection(client, [&](engine::Connection& connection, const http::PeerInfo& peer) {
    return std::make_unique<Session>(connection, *this, listener, peer);
  });
}

void GthreadWorker::schedule(Session& session, bool resume) {
  if (pool_) {
    session.connection().lend();
    session.resuming = resume;
    pool_->submit(&session);
    return;
  }
  if (resume) {
    // The client caught up while the loop is busy elsewhere: go on in a next turn, so that
    // pausing and resuming never nest.
    session.connection().lend();
    loop_->post([this, &session] {
      const AppStep step = run_app(session, /*resume=*/true, nullptr);
      after_app(session, step);
    });
    return;
  }
  const AppStep step = run_app(session, /*resume=*/false, nullptr);
  after_app(session, step);
}

void GthreadWorker::run_on_pool(void* context, void* job, python::ThreadGil& gil) {
  auto* worker = static_cast<GthreadWorker*>(context);
  auto* session = static_cast<Session*>(job);
  const AppStep step = worker->run_app(*session, session->resuming, &gil);
  // The connection stays open (lent) while in the application.
  worker->loop_->post([worker, session, step] { worker->after_app(*session, step); });
}

// Runs on the loop's thread (gil == nullptr) or a pool thread; the GIL is not held on entry.
GthreadWorker::AppStep GthreadWorker::run_app(Session& session, bool resume,
                                              python::ThreadGil* gil) {
  AppStep step;
  // The loop's thread itself is in the application: a quick stop need not wait for it.
  if (gil == nullptr) WorkerSignals::set_busy(true);
  step.ending = guarded(session.connection().output(), session.peer(), [&] {
    auto call_app = [&] {
      python::Progress progress;
      if (resume) {
        progress = handler_.resume(session.call);
      } else {
        const http::RequestHead& head = session.head();
        if (!python::Hooks::custom_pre_request())
          log::ErrorLog::get().debug("{} {}", head.method, head.path);
        // First: reaching max_requests already closes this response.
        if (count_request()) loop_->post([this] { engine_->begin_stop(); });
        session.response.emplace(session.connection().output(), head,
                                 /*force_close=*/!keep_alive_allowed());
        progress = handler_.start(session.call, head, session.reader(), *session.response,
                                  session.info(), /*can_pause=*/true);
      }
      if (progress == python::Progress::kPaused) {
        step.paused = true;
        return false;
      }
      const bool keep =
          !session.call.outcome().close_connection && !session.response->should_close();
      if (!keep) handler_.release_connection(session.cache());  // while the GIL is held anyway
      return keep;
    };
    bool keep;
    if (gil != nullptr) {
      python::ThreadGilHold hold(*gil);
      keep = call_app();
    } else {
      python::WithGil hold;
      keep = call_app();
    }
    // The rest of an unread body stands between this response and the next request.
    if (keep && !session.reader().body_complete())
      keep = session.reader().drain_body(kDrainBodyBytes);
    return keep;
  });
  if (gil == nullptr) WorkerSignals::set_busy(false);
  return step;
}

// Back on the loop's thread after the application ran or resumed a request.
void GthreadWorker::after_app(Session& session, const AppStep& step) {
  if (step.paused) {
    session.response_paused();
    return;
  }
  session.response.reset();
  session.request_done({.keep_alive = step.ending.keep_alive, .abort = step.ending.abort});
}

}  // namespace gf::workers
