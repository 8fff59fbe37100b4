// libFuzzer target: gf::http::websocket::FrameParser (client frames, RFC 6455).
//
// Input layout: 1 control byte (the low 4 bits pick how the input is split into reads: 0 is
// all at once, n splits into n-byte pieces; bits 4-5 pick the message-size limit; bit 6 turns
// permessage-deflate on, and compressed messages are then decompressed, bounded by the limit),
// then the bytes a client sends after its handshake. The parse of every split must give the same
// events and the same failure: the parser may never depend on how bytes arrive.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "http/websocket/ws_deflate.hpp"
#include "http/websocket/ws_frames.hpp"
#include "util/utf8.hpp"

namespace {

using gf::http::websocket::Event;
using gf::http::websocket::FrameParser;
using gf::http::websocket::ProtocolError;

struct Outcome {
  std::vector<Event> events;
  int failure = 0;
};

Outcome parse(const char* bytes, size_t n, size_t split, size_t max_message, bool deflate) {
  FrameParser parser(max_message);
  if (deflate) parser.allow_compression();
  gf::http::websocket::PerMessageDeflate inflater({});
  Outcome out;
  try {
    size_t step = split == 0 ? (n ? n : 1) : split;
    for (size_t at = 0; at < n; at += step) {
      const size_t len = std::min(step, n - at);
      // An exactly-sized heap copy per read, so any read past a piece is an ASan report.
      std::unique_ptr<char[]> piece(new char[len]);
      std::memcpy(piece.get(), bytes + at, len);
      parser.feed(std::string_view(piece.get(), len), out.events);
    }
  } catch (const ProtocolError& e) {
    FUZZ_CHECK(e.code == 1002 || e.code == 1007 || e.code == 1009);
    out.failure = e.code;
  }
  for (Event& event : out.events) {
    if (!event.compressed) continue;
    FUZZ_CHECK(deflate);
    std::string plain;
    bool too_big = false;
    if (inflater.decompress(event.payload, max_message, plain, too_big)) {
      FUZZ_CHECK(plain.size() <= max_message);
      event.payload = std::move(plain);
    } else {
      event.payload = too_big ? "<too big>" : "<corrupt>";
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t control = data[0];
  const char* bytes = reinterpret_cast<const char*>(data + 1);
  const size_t n = size - 1;
  static const size_t kLimits[4] = {16, 125, 4096, 1 << 20};
  const size_t max_message = kLimits[(control >> 4) & 3];
  const bool deflate = (control & 0x40) != 0;
  const Outcome whole = parse(bytes, n, 0, max_message, deflate);
  const Outcome pieces = parse(bytes, n, (control & 0x0F) + 1, max_message, deflate);
  FUZZ_CHECK(whole.failure == pieces.failure);
  FUZZ_CHECK(whole.events.size() == pieces.events.size());
  for (size_t i = 0; i < whole.events.size(); ++i) {
    const Event& a = whole.events[i];
    FUZZ_CHECK(a.kind == pieces.events[i].kind);
    FUZZ_CHECK(a.payload == pieces.events[i].payload);
    FUZZ_CHECK(a.close_code == pieces.events[i].close_code);
    if ((a.kind == Event::Kind::kText && !a.compressed) || a.kind == Event::Kind::kClose)
      FUZZ_CHECK(gf::util::valid_utf8(a.payload));
    if (a.kind == Event::Kind::kText || a.kind == Event::Kind::kBinary)
      FUZZ_CHECK(a.payload.size() <= max_message);
    else
      FUZZ_CHECK(a.payload.size() <= 125);
  }
  return 0;
}
