// RFC 6455 framing, I/O-free: a parser for what a client sends (masked frames, fragmented
// messages reassembled, every rule of section 5 checked, text validated as UTF-8) and the
// header of what a server sends. Nothing of a message that breaks a rule is ever handed out:
// the parser throws ProtocolError with the close code the connection must be failed with.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gf::http::websocket {

enum class Opcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// Close codes (RFC 6455 section 7.4.1, and IANA's 1012).
namespace close_code {
constexpr int kNormal = 1000;
constexpr int kGoingAway = 1001;
constexpr int kProtocolError = 1002;
constexpr int kNoStatus = 1005;  // a close frame without a code (never sent)
constexpr int kAbnormal = 1006;  // the connection ended without a close frame (never sent)
constexpr int kInvalidData = 1007;
constexpr int kTooBig = 1009;
constexpr int kInternalError = 1011;
constexpr int kServiceRestart = 1012;
}  // namespace close_code

// True for a code an endpoint may put in a close frame (1000-1003, 1007-1014, 3000-4999).
bool sendable_close_code(int code);

struct ProtocolError : std::runtime_error {
  ProtocolError(int code, const char* what) : std::runtime_error(what), code(code) {}
  int code;
};

struct Event {
  enum class Kind { kText, kBinary, kPing, kPong, kClose };
  Kind kind;
  std::string payload;      // the message or ping/pong data; for kClose, the reason
  int close_code = 0;       // kClose: close_code::kNoStatus when the frame carried none
  bool compressed = false;  // a permessage-deflate message (RSV1): payload still compressed
};

class FrameParser {
 public:
  // A message (all its fragments) larger than `max_message_bytes` fails with kTooBig.
  explicit FrameParser(size_t max_message_bytes) : max_message_(max_message_bytes) {}

  // Parses `bytes` (split anywhere), appending each complete message and control frame to
  // `events`. After a close frame, the rest is ignored. Throws ProtocolError.
  void feed(std::string_view bytes, std::vector<Event>& events);
  bool closed() const { return closed_; }
  // permessage-deflate was negotiated: RSV1 marks a compressed message (its first frame only);
  // the UTF-8 of compressed text is then the caller's to check, after decompressing.
  void allow_compression() { compression_ = true; }

 private:
  size_t take_header(std::string_view bytes);
  void start_frame();
  size_t take_payload(std::string_view bytes);
  void end_frame(std::vector<Event>& events);

  size_t max_message_;
  std::array<uint8_t, 14> header_{};
  size_t header_have_ = 0;
  bool in_payload_ = false;
  // The frame being read.
  bool fin_ = false;
  Opcode opcode_ = Opcode::kContinuation;
  uint64_t left_ = 0;  // payload bytes still to come
  std::array<uint8_t, 4> mask_{};
  size_t mask_pos_ = 0;
  // The message being reassembled (kContinuation: none).
  Opcode message_kind_ = Opcode::kContinuation;
  std::string message_;
  std::string control_;  // a control frame's payload (at most 125 bytes)
  bool closed_ = false;
  bool compression_ = false;
  bool message_compressed_ = false;
};

// The header of an unmasked (server) frame carrying `length` bytes; returns its size (2-10).
// `compressed` sets RSV1 (a permessage-deflate message).
size_t write_frame_header(Opcode opcode, bool fin, uint64_t length, std::array<uint8_t, 10>& out,
                          bool compressed = false);
// A close frame's payload: the code, then the reason cut to fit 125 bytes (at a UTF-8
// boundary). Code 0 gives an empty payload.
std::string close_payload(int code, std::string_view reason);

}  // namespace gf::http::websocket
