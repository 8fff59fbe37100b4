// A WebSocket connection after its handshake, on one engine connection: frames in (through
// FrameParser), messages to the application side, messages and control frames out, pings to
// find dead peers, the closing handshake, and failing the connection with the RFC's close code
// when the client breaks a rule. No I/O of its own: the engine moves the bytes. The worker's
// HTTP session hands the connection over to it (Http1Session::hand_over) once the upgrade is
// accepted.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/connection.hpp"
#include "engine/protocol.hpp"
#include "http/websocket/ws_deflate.hpp"
#include "http/websocket/ws_frames.hpp"

namespace gf::http::websocket {

struct WsSettings {
  size_t max_message_bytes = 16 * 1024 * 1024;  // larger messages fail with 1009
  int64_t ping_interval_ns = 0;                 // a ping after this much quiet (0: none)
  int64_t ping_timeout_ns = 0;                  // no pong within this: failed with 1011 (0: wait)
  int64_t close_timeout_ns = 5'000'000'000;     // for the client's answer to our close
  bool per_message_deflate = true;              // accept a client's permessage-deflate offer
};

// The application side of a session. Called on the loop's thread.
class WsHandler {
 public:
  virtual ~WsHandler() = default;
  virtual void on_message(bool text, std::string&& data) = 0;
  // The session is over for the application (once): the client closed (its code and reason),
  // our close was answered, the connection failed (the code we failed it with) or ended
  // without a close frame (1006).
  virtual void on_session_end(int code, std::string_view reason) = 0;
  // After notify_when_writable(): the output went down to its low-water mark.
  virtual void on_writable() = 0;
};

class WsSession final : public engine::Protocol {
 public:
  // `deflate`: the permessage-deflate parameters the handshake accepted (nullopt: none).
  WsSession(engine::Connection& connection, const WsSettings& settings, WsHandler& handler,
            const std::optional<DeflateParams>& deflate = std::nullopt);
  ~WsSession() override;

  // Starts reading frames; `early` holds what the client sent right after its handshake.
  void start(std::string early);

  // From the application. Once the session is closing these do nothing.
  void send(bool text, std::string_view data);
  // Starts the closing handshake (code 0: a close frame without a code).
  void close(int code, std::string_view reason);
  bool open() const { return state_ == State::kOpen; }
  bool congested() const { return connection_.output().congested(); }
  void notify_when_writable();
  // Flow control: stop reading while the application has not taken its messages.
  void pause_input();
  void resume_input();

  // engine::Protocol
  std::span<char> input_space() override;
  void on_input(size_t n) override;
  void on_input_end() override;
  void on_drained() override;
  void on_deadline() override;
  void on_stop() override;
  void on_close() override;

 private:
  enum class State {
    kOpen,
    kClosingSent,  // our close frame went out: waiting for the client's
    kEnding,       // both close frames exchanged (or the connection failed): flushing, then out
  };

  void handle(std::vector<Event>& events);
  void write_frame(Opcode opcode, std::string_view payload, bool compressed = false);
  void deliver(Event& message);
  void fail(int code, std::string_view reason);
  void end_session(int code, std::string_view reason);
  void finish_after_flush();
  void arm_ping();

  engine::Connection& connection_;
  const WsSettings& settings_;
  WsHandler& handler_;
  FrameParser parser_;
  std::unique_ptr<PerMessageDeflate> deflate_;
  std::vector<char> input_;
  std::vector<Event> events_;
  State state_ = State::kOpen;
  bool ended_ = false;          // on_session_end() was called
  bool awaiting_pong_ = false;  // our ping is out
  bool paused_ = false;         // the application asked us to stop reading
  bool want_writable_ = false;  // the application waits for on_writable()
  bool closing_after_flush_ = false;
};

}  // namespace gf::http::websocket
