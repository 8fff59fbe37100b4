// AsgiWorker: HTTP/1 sessions that hand each complete request to an ASGI Task, on the engine
// driven by the asyncio loop. Everything runs on the loop's thread with the GIL held.
#include "workers/asgi_worker.hpp"

#include <algorithm>
#include <optional>

#include "http/http1_response.hpp"
#include "http/http1_session.hpp"
#include "http/websocket/ws_handshake.hpp"
#include "log/error_log.hpp"
#include "python/asgi/stall_watchdog.hpp"
#include "python/configuration/hooks.hpp"
#include "python/embed/main_thread_gil.hpp"
#include "workers/asgi_websocket.hpp"
#include "workers/worker_signals.hpp"

namespace gf::workers {
namespace {

// Body bytes held for the app before its next http.request message.
constexpr size_t kBodyChunk = 64 * 1024;

}  // namespace

// One connection: HTTP/1 from the engine's side, an AsgiStream for the request's channel.
class AsgiWorker::Session final : public http::Http1Session, public python::AsgiStream {
 public:
  Session(engine::Connection& connection, AsgiWorker& worker, const net::Listener& listener,
          const http::PeerInfo& peer)
      : Http1Session(connection, worker.settings_.session, peer),
        worker_(worker),
        info_(ConnectionSetup::connection(listener, connection.transport().fd(), this->peer())) {}

  // python::AsgiStream
  http::BodySource& body() override { return reader(); }
  size_t body_ready() const override { return reader().prefetched_bytes(); }
  bool wait_body() override { return Http1Session::wait_body(kBodyChunk); }
  bool body_too_large() const override { return reader().body_too_large(); }
  void watch_disconnect() override { watch_input_end(); }
  http::ResponseSink& response() override { return *response_; }
  void wait_drained() override { response_paused(); }
  void request_over(bool keep_alive) override {
    channel_.reset();
    // An unread body stands between this response and the next request: close instead.
    const bool keep = keep_alive && reader().body_complete();
    response_.reset();
    request_done({.keep_alive = keep});
  }

 private:
  void run_request() override {
    const http::RequestHead& request = head();
    if (http::websocket::asks_for_websocket(request)) {
      run_websocket();
      return;
    }
    if (!python::Hooks::custom_pre_request())
      log::ErrorLog::get().debug("{} {}", request.method, request.path);
    if (worker_.count_request()) worker_.engine_->begin_stop();  // max_requests: this is the last
    response_.emplace(connection().output(), request,
                      /*force_close=*/!worker_.keep_alive_allowed());
    if (!model_) model_ = worker_.runtime_.connection_model(info_);
    python::PyRef channel = worker_.runtime_.start(*this, request, peer(), model_.get());
    if (!response_) return;  // already over: a failing pre_request was answered
    if (!channel) {
      try {
        response_->send_error(500);
      } catch (const util::IoError&) {
      }
      request_over(false);
      return;
    }
    channel_ = std::move(channel);
    // A bodiless request (or one whose body came with its head): watch for the client leaving
    // while the app works, as uvicorn notices a lost connection at once.
    if (reader().body_complete()) watch_input_end();
  }
  void run_websocket() {
    log::ErrorLog::get().debug("{} {} (WebSocket)", head().method, head().path);
    if (worker_.count_request()) worker_.engine_->begin_stop();
    if (!model_) model_ = worker_.runtime_.connection_model(info_);
    websocket_ = std::make_unique<AsgiWebSocket>(*this, worker_.ws_settings_, worker_.access_log_);
    websocket_->start(worker_.runtime_, model_.get());
  }

  void resume_response() override {
    if (reader().body_complete()) watch_input_end();  // as before the pause
    if (channel_) python::asgi_channel::drained(channel_.get());
  }
  void client_input_ended() override {
    if (websocket_) websocket_->client_left();
    if (channel_) python::asgi_channel::input_ended(channel_.get());
  }
  void body_arrived() override {
    if (channel_) python::asgi_channel::body_arrived(channel_.get());
  }
  void abandon_response() override {
    if (channel_) python::asgi_channel::gone(channel_.get());
  }
  void release() override {
    if (websocket_) websocket_->release();
    channel_.reset();
    model_.reset();
    response_.reset();
  }

  AsgiWorker& worker_;
  python::ConnectionInfo info_;
  python::PyRef model_;    // the scope entries all of the connection's requests share
  python::PyRef channel_;  // the request in the app
  std::optional<http::Http1Response> response_;
  std::unique_ptr<AsgiWebSocket> websocket_;  // the connection's WebSocket handshake (or session)
};

AsgiWorker::AsgiWorker(WorkerContext& ctx, python::WsgiApp& app, log::AccessLog* access_log)
    : LoopWorker(ctx, access_log, /*app_on_loop_thread=*/true), runtime_(app, ctx.cfg, access_log) {
  settings_.limits.output.defer_writes = true;  // one flush per loop turn, as uvloop's transports
  ws_settings_.max_message_bytes =
      static_cast<size_t>(ctx.cfg.get(config::settings::websocket_max_message_size));
  ws_settings_.ping_interval_ns =
      seconds_ns(ctx.cfg.get(config::settings::websocket_ping_interval));
  ws_settings_.ping_timeout_ns = seconds_ns(ctx.cfg.get(config::settings::websocket_ping_timeout));
  ws_settings_.per_message_deflate = ctx.cfg.get(config::settings::websocket_per_message_deflate);
  runtime_.startup();
}

AsgiWorker::~AsgiWorker() {
  engine_.reset();  // its connections go before the reactor that watches them
}

void AsgiWorker::run() {
  python::WithGil gil;
  reactor_ = std::make_unique<python::AsyncioReactor>(runtime_.loop(), ctx_.listeners,
                                                      WorkerSignals::wakeup_fd());
  engine_ = std::make_unique<engine::Engine>(*reactor_, settings_.limits);
  // A quarter of the worker timeout, so the record is there well before the master's SIGABRT.
  const int64_t timeout_ns = seconds_ns(ctx_.cfg.get(config::settings::timeout));
  python::StallWatchdog watchdog([this] { return runtime_.describe_tasks(); },
                                 std::clamp<int64_t>(timeout_ns / 4, 500'000'000, 10'000'000'000));
  try {
    reactor_->run(
        *engine_,
        {.accepted = [this](const net::Listener& listener,
                            const net::Accepted& client) { on_accepted(listener, client); },
         .signaled = [this] { on_signal(*reactor_); },
         .tick =
             [this, &watchdog] {
               on_tick();
               watchdog.beat();
             }});
  } catch (const std::exception& e) {
    log::ErrorLog::get().error("{}", e.what());
  }
  // Connections left at a graceful timeout (or a quick stop): their apps hear http.disconnect.
  engine_->close_all(/*including_lent=*/true);
  if (WorkerSignals::quick_signal() == 0)
    runtime_.shutdown(static_cast<double>(graceful_ns()) / 1e9);
  engine_.reset();
  reactor_.reset();
}

void AsgiWorker::on_accepted(const net::Listener& listener, const net::Accepted& client) {
  open_connection(client, [&](engine::Connection& connection, const http::PeerInfo& peer) {
    return std::make_unique<Session>(connection, *this, listener, peer);
  });
}

}  // namespace gf::workers
