// GthreadWorker: the engine and its event loop, HTTP/1 sessions on each connection, and the
// hand-off of complete requests to the application, inline or through the RequestPool.
#include "workers/gthread_worker.hpp"

#include <algorithm>

#include "http/http1_response.hpp"
#include "log/error_log.hpp"
#include "net/plain_transport.hpp"
#include "python/configuration/hooks.hpp"
#include "python/embed/main_thread_gil.hpp"
#include "util/heartbeat_table.hpp"
#include "workers/worker_signals.hpp"

namespace gf::workers {
namespace {

// After a response, unread body bytes are skipped up to this much, as Gunicorn's gthread does;
// a longer body closes the connection instead.
constexpr size_t kDrainBodyBytes = 64 * 1024;

int64_t seconds_ns(int64_t seconds) {
  return seconds * 1'000'000'000;
}

int timeout_ms(int64_t seconds) {
  return seconds > 0 ? static_cast<int>(seconds * 1000) : INT32_MAX;
}

}  // namespace

// One connection: HTTP/1 from the engine's side, and on the application's side the WSGI call,
// its response and the Python objects its requests share.
class GthreadWorker::Session final : public http::Http1Session {
 public:
  Session(engine::Connection& connection, GthreadWorker& worker, const net::Listener& listener,
          const http::PeerInfo& peer)
      : Http1Session(connection, worker.session_settings_, peer),
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

std::unique_ptr<Worker> GthreadWorker::create(WorkerContext& ctx, python::WsgiApp& app,
                                              log::AccessLog* access_log) {
  return std::make_unique<GthreadWorker>(ctx, app, access_log);
}

GthreadWorker::GthreadWorker(WorkerContext& ctx, python::WsgiApp& app, log::AccessLog* access_log)
    : WorkerBase(ctx, access_log),
      handler_(app, ctx.cfg, access_log, ctx.cfg.get(config::settings::threads) > 1),
      threads_(static_cast<size_t>(std::max<int64_t>(1, ctx.cfg.get(config::settings::threads)))),
      keepalive_ns_(seconds_ns(ctx.cfg.get(config::settings::keepalive))),
      max_connections_(static_cast<size_t>(
          std::max<int64_t>(1, ctx.cfg.get(config::settings::worker_connections)))) {
  session_settings_.parser = &parser_options_;
  session_settings_.keepalive_ns = keepalive_ns_;
  session_settings_.header_ns = seconds_ns(ctx.cfg.get(config::settings::header_timeout));
  session_settings_.body_ns = seconds_ns(ctx.cfg.get(config::settings::body_timeout));
  net::WaitPolicy& waits = session_settings_.app_waits;
  waits.read_timeout_ms = timeout_ms(ctx.cfg.get(config::settings::body_timeout));
  waits.write_timeout_ms = timeout_ms(ctx.cfg.get(config::settings::write_timeout));
  if (threads_ == 1) {
    // The application and its socket waits run on the loop's thread: keep the heartbeat going
    // while a request waits on its client (bounded by the body/write timeouts).
    waits.tick = [](void* context) { static_cast<WorkerContext*>(context)->notify(); };
    waits.tick_context = &ctx_;
  }
  limits_.max_connections = max_connections_;
  limits_.graceful_ns = graceful_ns();
  limits_.write_timeout_ns = seconds_ns(ctx.cfg.get(config::settings::write_timeout));
  limits_.output.waits = waits;
}

GthreadWorker::~GthreadWorker() = default;

void GthreadWorker::run() {
  loop_ = std::make_unique<engine::EventLoop>(ctx_.listeners, WorkerSignals::wakeup_fd());
  engine_ = std::make_unique<engine::Engine>(*loop_, limits_);
  if (threads_ > 1) pool_.emplace(threads_, &GthreadWorker::run_on_pool, this);
  loop_->run(*engine_,
             {.accepted = [this](const net::Listener& listener,
                                 const net::Accepted& client) { on_accepted(listener, client); },
              .signaled = [this] { on_signal(); },
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
  try {
    engine_->open(std::make_unique<net::PlainTransport>(client.fd),
                  [&](engine::Connection& connection) {
                    return std::make_unique<Session>(connection, *this, listener,
                                                     setup_.peer(client.addr, client.addr_len));
                  });
  } catch (const std::exception& e) {
    log::ErrorLog::get().error("Cannot serve a new connection: {}", e.what());
  }
}

void GthreadWorker::on_signal() {
  WorkerSignals::drain_wakeup();
  reopen_logs_if_asked();
  if (WorkerSignals::quick_signal() != 0) {
    loop_->stop();  // INT/QUIT (and ABRT with a worker_abort hook): no waiting
    return;
  }
  if (!WorkerSignals::alive()) engine_->begin_stop();
}

void GthreadWorker::on_tick() {
  beat();
  if (!engine_->stopping()) parent_alive();
  if (!engine_->stopping() && !WorkerSignals::alive()) engine_->begin_stop();
}

bool GthreadWorker::keep_alive_allowed() const {
  return keepalive_ns_ > 0 && !engine_->stopping() && WorkerSignals::alive() &&
         engine_->connection_count() < max_connections_;
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
