#include "http/websocket/ws_session.hpp"

#include <sys/uio.h>

#include <array>

#include "log/error_log.hpp"
#include "util/stream.hpp"
#include "util/utf8.hpp"

namespace gf::http::websocket {
namespace {

constexpr size_t kInputBytes = 16 * 1024;
// Smaller messages go out uncompressed (each message may choose, RFC 7692 section 6): below
// this, deflate saves a few bytes for more CPU than the write itself.
constexpr size_t kCompressFromBytes = 128;

}  // namespace

WsSession::WsSession(engine::Connection& connection, const WsSettings& settings, WsHandler& handler,
                     const std::optional<DeflateParams>& deflate)
    : connection_(connection),
      settings_(settings),
      handler_(handler),
      parser_(settings.max_message_bytes),
      input_(kInputBytes) {
  if (deflate) {
    deflate_ = std::make_unique<PerMessageDeflate>(*deflate);
    parser_.allow_compression();
  }
}

WsSession::~WsSession() = default;

void WsSession::start(std::string early) {
  arm_ping();
  if (!early.empty()) {
    try {
      parser_.feed(early, events_);
    } catch (const ProtocolError& e) {
      fail(e.code, e.what());
      return;
    }
    handle(events_);
  }
  if (state_ == State::kOpen && !paused_) connection_.want_input();
}

std::span<char> WsSession::input_space() {
  return {input_.data(), input_.size()};
}

void WsSession::on_input(size_t n) {
  if (state_ == State::kEnding) return;  // lingering: what comes now is not read
  try {
    parser_.feed(std::string_view(input_.data(), n), events_);
  } catch (const ProtocolError& e) {
    handle(events_);  // what came complete before the bad frame still counts
    fail(e.code, e.what());
    return;
  }
  handle(events_);
  if (state_ != State::kEnding && !paused_ && !connection_.closed()) connection_.want_input();
}

void WsSession::handle(std::vector<Event>& events) {
  for (Event& event : events) {
    if (state_ == State::kEnding || connection_.closed()) break;
    switch (event.kind) {
      case Event::Kind::kText:
      case Event::Kind::kBinary:
        // After our close, the client may still send data frames: they are discarded.
        if (state_ == State::kOpen) deliver(event);
        break;
      case Event::Kind::kPing:
        if (state_ == State::kOpen) write_frame(Opcode::kPong, event.payload);
        break;
      case Event::Kind::kPong:
        if (awaiting_pong_) {
          awaiting_pong_ = false;
          arm_ping();
        }
        break;
      case Event::Kind::kClose:
        if (state_ == State::kOpen) {
          // Echo the client's code (none for none), then close once it is out.
          write_frame(
              Opcode::kClose,
              close_payload(event.close_code == close_code::kNoStatus ? 0 : event.close_code, ""));
        }
        state_ = State::kEnding;
        end_session(event.close_code, event.payload);
        finish_after_flush();
        break;
    }
  }
  events.clear();
}

void WsSession::deliver(Event& message) {
  const bool text = message.kind == Event::Kind::kText;
  if (message.compressed) {
    std::string plain;
    bool too_big = false;
    if (!deflate_->decompress(message.payload, settings_.max_message_bytes, plain, too_big)) {
      fail(too_big ? close_code::kTooBig : close_code::kInvalidData,
           too_big ? "message too big" : "corrupt compressed message");
      return;
    }
    if (text && !util::valid_utf8(plain)) {
      fail(close_code::kInvalidData, "text message is not UTF-8");
      return;
    }
    handler_.on_message(text, std::move(plain));
    return;
  }
  handler_.on_message(text, std::move(message.payload));
}

void WsSession::write_frame(Opcode opcode, std::string_view payload, bool compressed) {
  if (connection_.closed()) return;
  std::array<uint8_t, 10> header;
  const size_t header_size = write_frame_header(opcode, true, payload.size(), header, compressed);
  const std::array<iovec, 2> parts = {iovec{header.data(), header_size},
                                      iovec{const_cast<char*>(payload.data()), payload.size()}};
  try {
    connection_.output().write_all(parts, nullptr);
  } catch (const util::IoError& e) {
    log::ErrorLog::get().debug("Ignored premature client disconnection. {}", e.what());
    connection_.close();  // on_close() ends the session
    return;
  }
  if (!connection_.output().empty() && !closing_after_flush_)
    connection_.notify_when_drained(connection_.output().limits().low_water);
}

void WsSession::send(bool text, std::string_view data) {
  if (state_ != State::kOpen) return;
  const Opcode opcode = text ? Opcode::kText : Opcode::kBinary;
  if (deflate_ && data.size() >= kCompressFromBytes) {
    write_frame(opcode, deflate_->compress(data), /*compressed=*/true);
    return;
  }
  write_frame(opcode, data);
}

void WsSession::close(int code, std::string_view reason) {
  if (state_ != State::kOpen) return;
  write_frame(Opcode::kClose, close_payload(code, reason));
  if (connection_.closed()) return;
  state_ = State::kClosingSent;
  awaiting_pong_ = false;
  connection_.set_deadline(settings_.close_timeout_ns);
  if (!paused_) connection_.want_input();  // the client's answer ends the session
}

void WsSession::fail(int code, std::string_view reason) {
  log::ErrorLog::get().debug("Failing a WebSocket connection ({}): {}", code, reason);
  if (state_ == State::kOpen) write_frame(Opcode::kClose, close_payload(code, ""));
  state_ = State::kEnding;
  end_session(code, "");
  finish_after_flush();
}

void WsSession::end_session(int code, std::string_view reason) {
  if (ended_) return;
  ended_ = true;
  handler_.on_session_end(code, reason);
}

// The server closes the TCP connection first (RFC 6455 section 7.1.1), once its last frame is
// out; lingering keeps a client's late bytes from turning the close into a reset.
void WsSession::finish_after_flush() {
  if (connection_.closed()) return;
  closing_after_flush_ = true;
  connection_.set_deadline(settings_.close_timeout_ns);
  connection_.notify_when_drained(0);
}

void WsSession::notify_when_writable() {
  want_writable_ = true;
  if (!connection_.closed())
    connection_.notify_when_drained(connection_.output().limits().low_water);
}

void WsSession::on_drained() {
  if (closing_after_flush_) {
    if (connection_.output().empty()) {
      connection_.linger();
      return;
    }
    connection_.notify_when_drained(0);
  }
  if (want_writable_) {
    want_writable_ = false;
    handler_.on_writable();
  }
}

void WsSession::pause_input() {
  paused_ = true;
}

void WsSession::resume_input() {
  if (!paused_) return;
  paused_ = false;
  if (state_ != State::kEnding && !connection_.closed()) connection_.want_input();
}

void WsSession::on_input_end() {
  // The client left without (answering) a close frame.
  state_ = State::kEnding;
  end_session(close_code::kAbnormal, "");
  connection_.close();
}

void WsSession::arm_ping() {
  if (state_ != State::kOpen) return;
  connection_.set_deadline(settings_.ping_interval_ns);
}

void WsSession::on_deadline() {
  switch (state_) {
    case State::kOpen:
      if (awaiting_pong_) {
        fail(close_code::kInternalError, "keepalive ping timeout");
        return;
      }
      write_frame(Opcode::kPing, "greenfork");
      awaiting_pong_ = true;
      if (settings_.ping_timeout_ns > 0) connection_.set_deadline(settings_.ping_timeout_ns);
      return;
    case State::kClosingSent:
      log::ErrorLog::get().debug("WebSocket client did not answer the close in time");
      end_session(close_code::kAbnormal, "");
      connection_.close();
      return;
    case State::kEnding:
      connection_.close();
      return;
  }
}

void WsSession::on_stop() {
  // The worker stops (reload, upgrade, shutdown, max_requests): ask the client to come back.
  close(close_code::kServiceRestart, "");
}

void WsSession::on_close() {
  end_session(close_code::kAbnormal, "");
}

}  // namespace gf::http::websocket
