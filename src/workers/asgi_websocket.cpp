#include "workers/asgi_websocket.hpp"

#include <fmt/format.h>

#include "http/http_date.hpp"
#include "http/status_phrases.hpp"
#include "http/target.hpp"
#include "http/websocket/ws_handshake.hpp"
#include "log/error_log.hpp"
#include "python/wsgi/access_entry.hpp"
#include "util/stream.hpp"

namespace gf::workers {

namespace ws = http::websocket;

AsgiWebSocket::AsgiWebSocket(http::Http1Session& http, const ws::WsSettings& settings,
                             log::AccessLog* access_log)
    : http_(http), settings_(settings), access_log_(access_log) {}

AsgiWebSocket::~AsgiWebSocket() {
  python::ws_link::detach(link_.get());
}

void AsgiWebSocket::start(python::AsgiRuntime& runtime, PyObject* model) {
  const http::RequestHead& head = http_.head();
  if (access_log_ != nullptr) {
    wall_start_ = std::chrono::system_clock::now();
    start_ = std::chrono::steady_clock::now();
    summary_.path_info = http::percent_decode(head.path);
    summary_.remote_addr = head.proxy ? head.proxy->client_addr.value_or("") : http_.peer().addr;
  }
  if (std::optional<ws::HandshakeRefusal> refusal = ws::check_handshake(head)) {
    log::ErrorLog::get().debug("Refusing a WebSocket handshake: {}", refusal->reason);
    try {
      if (refusal->headers.empty()) {
        response().send_error(refusal->status);
      } else {
        // 426 names what the client should ask for instead.
        refusal->headers.push_back({"Content-Length", "0"});
        response().start(
            fmt::format("{} {}", refusal->status, http::status_phrase(refusal->status)),
            std::move(refusal->headers));
        response().finish();
      }
    } catch (const std::exception&) {
    }
    log_access();
    http_.request_done({.keep_alive = false});
    return;
  }
  channel_ =
      runtime.start_websocket(*this, head, model, ws::offered_subprotocols(head), link_, task_);
  if (!channel_) {
    ws_reject(500);
    ws_finished();
    return;
  }
  http_.watch_input_end();  // a client that leaves before the app decides
}

http::Http1Response& AsgiWebSocket::response() {
  if (!response_)
    response_.emplace(http_.connection().output(), http_.head(), /*force_close=*/true);
  return *response_;
}

void AsgiWebSocket::ws_accept(std::string_view subprotocol,
                              std::vector<http::HeaderField> headers) {
  if (session_ || (response_ && response_->started())) return;
  const std::optional<ws::DeflateParams> deflate =
      settings_.per_message_deflate ? ws::accept_deflate_offer(http_.head()) : std::nullopt;
  const std::string bytes = ws::accept_response(
      http_.head(), subprotocol, headers, http::HttpDate::thread_default().now(),
      deflate ? ws::deflate_response(*deflate) : std::string());
  engine::Connection& connection = http_.connection();
  try {
    connection.output().write_bytes(bytes);
  } catch (const util::IoError& e) {
    log::ErrorLog::get().debug("Ignored premature client disconnection. {}", e.what());
    connection.close();  // release() tells the app
    return;
  }
  session_ = std::make_unique<ws::WsSession>(connection, settings_, *this, deflate);
  http_.hand_over(*session_);
  // Left in the socket by a client that could not take the head at once: keep it flowing.
  if (!connection.output().empty())
    connection.notify_when_drained(connection.output().limits().low_water);
  session_->start(http_.reader().take_unparsed());
}

void AsgiWebSocket::ws_reject(int status) {
  if (session_ || (response_ && response_->headers_sent())) return;
  try {
    response().send_error(status);
  } catch (const util::IoError&) {
  }
}

http::ResponseSink& AsgiWebSocket::ws_denial() {
  return response();
}

void AsgiWebSocket::ws_send(bool text, std::string_view data) {
  if (session_) session_->send(text, data);
}

void AsgiWebSocket::ws_close(int code, std::string_view reason) {
  if (session_) {
    session_->close(code, reason);
  } else {
    ws_reject(403);
  }
}

bool AsgiWebSocket::ws_congested() {
  if (!session_ || !session_->congested()) return false;
  session_->notify_when_writable();
  return true;
}

void AsgiWebSocket::ws_pause_input(bool pause) {
  if (!session_) return;
  if (pause) {
    session_->pause_input();
  } else {
    session_->resume_input();
  }
}

void AsgiWebSocket::ws_finished() {
  task_.reset();
  log_access();
  // Upgraded, the WsSession ends the connection after the closing handshake; refused, the
  // HTTP session sends the answer and closes.
  if (!session_) http_.request_done({.keep_alive = false});
}

void AsgiWebSocket::on_message(bool text, std::string&& data) {
  if (channel_) python::ws_link::message(channel_.get(), text, data);
}

void AsgiWebSocket::on_session_end(int code, std::string_view reason) {
  if (channel_) python::ws_link::ended(channel_.get(), code, reason);
}

void AsgiWebSocket::on_writable() {
  if (channel_) python::ws_link::writable(channel_.get());
}

void AsgiWebSocket::client_left() {
  if (channel_) python::ws_link::ended(channel_.get(), ws::close_code::kAbnormal, "");
}

void AsgiWebSocket::release() {
  if (channel_ && !session_) python::ws_link::ended(channel_.get(), ws::close_code::kAbnormal, "");
  log_access();
  python::ws_link::detach(link_.get());
  channel_.reset();
  link_.reset();
  task_.reset();
  response_.reset();
}

// One line per WebSocket, once the app is done or the connection gone: status 101 when it was
// accepted (the duration is the session's), or the refusal's status.
void AsgiWebSocket::log_access() {
  if (logged_ || access_log_ == nullptr) return;
  logged_ = true;
  const bool answered = !session_ && response_ && response_->started();
  if (!session_ && !answered) return;  // the client left before the app decided
  const http::RequestHead& head = http_.head();
  const std::string status = session_ ? "101 Switching Protocols" : response_->status();
  python::AccessEntry{
      head,
      summary_,
      nullptr,
      status,
      answered ? std::optional<uint64_t>(response_->body_bytes_sent()) : std::optional<uint64_t>(),
      answered ? &response_->headers() : nullptr,
      wall_start_,
      start_}
      .write_to(*access_log_);
}

}  // namespace gf::workers
