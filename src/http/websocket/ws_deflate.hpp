// permessage-deflate (RFC 7692), I/O-free: the negotiation (the client's offers in
// Sec-WebSocket-Extensions, the server's answer) and the per-connection compressor and
// decompressor, with bounded memory. The server compresses with a small window (2^12 bytes,
// memLevel 4: about 24 KiB of zlib state), which any client's 2^15 inflater reads, so it needs
// no negotiation; it decompresses with the client's window (32 KiB) and never produces more
// than the message-size limit.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "http/request.hpp"

namespace gf::http::websocket {

struct DeflateParams {
  bool server_no_context_takeover = false;  // reset our compressor after each message
  bool client_no_context_takeover = false;  // the client resets its own: so can our inflater
  int server_max_window_bits = 15;          // what the client allows us
};

// The first permessage-deflate offer of `head` the server can accept, or nullopt (none, or only
// offers with unknown or invalid parameters, which RFC 7692 says to decline).
std::optional<DeflateParams> accept_deflate_offer(const RequestHead& head);
// The Sec-WebSocket-Extensions value that accepts `params`.
std::string deflate_response(const DeflateParams& params);

class PerMessageDeflate {
 public:
  explicit PerMessageDeflate(const DeflateParams& params);
  ~PerMessageDeflate();
  PerMessageDeflate(const PerMessageDeflate&) = delete;
  PerMessageDeflate& operator=(const PerMessageDeflate&) = delete;

  // One whole message's payload, compressed (without the 00 00 FF FF tail, RFC 7692 7.2.1).
  std::string compress(std::string_view message);
  // One whole received message's payload, decompressed into `out`. False when the data is
  // corrupt; `too_big` is set when the result would exceed `max_bytes`.
  bool decompress(std::string_view payload, size_t max_bytes, std::string& out, bool& too_big);

 private:
  DeflateParams params_;
  z_stream deflate_{};
  z_stream inflate_{};
  bool deflate_ready_ = false;
  bool inflate_ready_ = false;
};

}  // namespace gf::http::websocket
