// libFuzzer target: gf::http::RequestParser over one connection's bytes.
//
// Input layout: 4 control bytes, then the bytes the peer sends. The control bytes pick the
// ParserOptions (limits, header_map, proxy_protocol, the permit_* flags), the PeerInfo, how the
// bytes arrive (whole, byte by byte, or in pseudo-random pieces) and the per-step body cap.
// The driver behaves like a worker: it keeps a buffer of unconsumed bytes, feeds it (as an
// exactly-sized heap copy, so ASan sees any read past the end), drops what the parser consumed,
// and reads every pipelined request until an error or the end of the input. Any invariant
// violation aborts, and so does a different outcome (heads, bodies, trailers, error kind) between
// the input-derived split and delivering everything at once.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "http/errors.hpp"
#include "http/request_parser.hpp"
#include "util/stream.hpp"

namespace {

using gf::http::BodyKind;
using gf::http::ParseEvent;
using gf::http::ParseStep;

constexpr size_t kControlBytes = 4;

// Deterministic piece sizes for the "random" split.
struct Splitter {
  uint32_t state;
  int mode;  // 0 whole, 1 byte by byte, 2 pseudo-random 1..64, 3 pseudo-random 1..7
  size_t next() {
    if (mode == 0) return SIZE_MAX;
    if (mode == 1) return 1;
    state = state * 1103515245u + 12345u;
    uint32_t r = state >> 16;
    return mode == 2 ? 1 + r % 64 : 1 + r % 7;
  }
};

gf::http::ParserOptions options_from(uint8_t a, uint8_t b) {
  gf::http::ParserOptions o;
  static constexpr size_t kLines[] = {4094, 0, 8190, 20, 100, 9000, 1, 200};
  static constexpr size_t kFields[] = {100, 0, 2, 1};
  static constexpr size_t kFieldSizes[] = {8190, 0, 20, 50};
  o.header_map = static_cast<gf::http::HeaderMap>((a & 3) % 3);
  o.proxy_protocol = static_cast<gf::http::ProxyProtocol>((a >> 2) & 3);
  o.permit_obsolete_folding = a & 0x10;
  o.strip_header_spaces = a & 0x20;
  o.permit_unconventional_http_method = a & 0x40;
  o.permit_unconventional_http_version = a & 0x80;
  o.casefold_http_method = b & 1;
  o.limit_request_line = kLines[(b >> 1) & 7];
  o.limit_request_fields = kFields[(b >> 4) & 3];
  o.limit_request_field_size = kFieldSizes[(b >> 6) & 3];
  return o;
}
// Everything a worker would learn from the connection, as text: heads, body bytes, trailers,
// and how it ended. Delivering the same bytes in other pieces, or reading the body in other
// step sizes, must not change it.
void describe_head(std::string& out, const gf::http::RequestHead& h) {
  out += "HEAD " + h.method + " " + h.target + " " + h.path + "?" + h.query + "#" + h.fragment +
         " " + h.protocol() + " kind=" + std::to_string(static_cast<int>(h.framing.body_kind)) +
         " len=" + std::to_string(h.framing.content_length) +
         " ka=" + std::to_string(h.framing.keep_alive) +
         " expect=" + std::to_string(h.framing.expect_continue) + " scheme=" + h.url_scheme + "\n";
  for (const auto& f : h.headers) out += "  " + f.name + ": " + f.value + "\n";
  if (h.proxy) {
    out += "  proxy " + h.proxy->protocol + " " + h.proxy->client_addr.value_or("-") + " " +
           std::to_string(h.proxy->client_port.value_or(-1)) + " " +
           h.proxy->proxy_addr.value_or("-") + " " +
           std::to_string(h.proxy->proxy_port.value_or(-1)) + "\n";
  }
}

std::string run(const gf::http::ParserOptions& options, const gf::http::PeerInfo& peer,
                std::string_view input, Splitter splitter, size_t max_body) {
  std::string transcript;
  gf::http::RequestParser parser(options, peer);
  const size_t head_cap = parser.max_head_bytes();
  std::string buffer;  // received, not yet consumed
  size_t delivered = 0;
  uint64_t body_bytes = 0;
  bool have_head = false;
  bool fresh = true;  // new bytes arrived since the last kNeedMore

  try {
    while (true) {
      // An exactly-sized copy of the pending bytes: reading past its end is an ASan report.
      std::unique_ptr<char[]> copy(new char[buffer.size() ? buffer.size() : 1]);
      std::memcpy(copy.get(), buffer.data(), buffer.size());
      const std::string_view pending(copy.get(), buffer.size());
      const bool in_head = parser.awaiting_head();
      const std::optional<uint64_t> remaining_before = parser.length_remaining();

      ParseStep step = parser.feed(pending, max_body);
      FUZZ_CHECK(step.consumed <= pending.size());

      switch (step.event) {
        case ParseEvent::kHead: {
          FUZZ_CHECK(in_head);
          FUZZ_CHECK(step.consumed > 0);
          FUZZ_CHECK(!parser.awaiting_head());
          const auto& head = parser.head();
          FUZZ_CHECK(!head.method.empty());
          if (head.framing.body_kind == BodyKind::kLength)
            FUZZ_CHECK(parser.length_remaining() ==
                       std::optional<uint64_t>(head.framing.content_length));
          if (head.framing.body_kind == BodyKind::kNone)
            FUZZ_CHECK(parser.length_remaining() == std::optional<uint64_t>(0));
          if (head.framing.body_kind == BodyKind::kChunked) FUZZ_CHECK(!parser.length_remaining());
          have_head = true;
          body_bytes = 0;
          describe_head(transcript, head);
          break;
        }
        case ParseEvent::kBody:
          FUZZ_CHECK(have_head && !in_head);
          FUZZ_CHECK(!step.body.empty());
          FUZZ_CHECK(step.body.size() <= max_body);
          FUZZ_CHECK(step.body.size() <= step.consumed);
          FUZZ_CHECK(step.body.data() >= pending.data() &&
                     step.body.data() + step.body.size() <= pending.data() + pending.size());
          if (parser.head().framing.body_kind == BodyKind::kLength) {
            FUZZ_CHECK(step.body.size() == step.consumed);
            FUZZ_CHECK(step.body.data() == pending.data());
            FUZZ_CHECK(*remaining_before - step.body.size() == *parser.length_remaining());
          }
          FUZZ_CHECK(parser.head().framing.body_kind != BodyKind::kNone);
          body_bytes += step.body.size();
          transcript.append(step.body);
          break;
        case ParseEvent::kMessageComplete: {
          FUZZ_CHECK(have_head && !in_head);
          FUZZ_CHECK(parser.message_complete());
          const auto& head = parser.head();
          if (head.framing.body_kind == BodyKind::kLength)
            FUZZ_CHECK(body_bytes == head.framing.content_length);
          if (head.framing.body_kind == BodyKind::kNone) FUZZ_CHECK(body_bytes == 0);
          if (head.framing.body_kind != BodyKind::kChunked) FUZZ_CHECK(step.consumed == 0);
          parser.on_eof(pending.size() - step.consumed);  // a clean end here; must not throw
          parser.next_message();
          FUZZ_CHECK(parser.awaiting_head());
          have_head = false;
          transcript += "\nEND";
          for (const auto& t : parser.trailers()) transcript += " " + t.name + "=" + t.value;
          transcript += "\n";
          break;
        }
        case ParseEvent::kNeedMore:
          if (in_head) FUZZ_CHECK(step.consumed == 0);
          break;
      }
      buffer.erase(0, step.consumed);

      if (step.event == ParseEvent::kNeedMore) {
        // What the parser waits for whole must fit the buffer a worker is willing to keep.
        if (parser.awaiting_head() || parser.length_remaining() == std::nullopt)
          FUZZ_CHECK(buffer.size() <= std::max<size_t>(head_cap, 8192));
        if (!fresh && step.consumed == 0) {
          if (delivered == input.size()) {
            parser.on_eof(buffer.size());  // may throw: a truncated request
            transcript += "EOF\n";
            break;
          }
        }
        if (delivered < input.size()) {
          size_t n = std::min(splitter.next(), input.size() - delivered);
          buffer.append(input.substr(delivered, n));
          delivered += n;
          fresh = true;
          continue;
        }
        if (step.consumed == 0) fresh = false;
        continue;
      }
      fresh = true;
    }
  } catch (const gf::http::RequestError& e) {
    FUZZ_CHECK(e.status() >= 400 && e.status() <= 599);
    FUZZ_CHECK(!e.kind().empty());
    transcript += "ERROR " + std::to_string(e.status()) + " " + e.kind() + "\n";
  } catch (const gf::http::BodyError& e) {
    FUZZ_CHECK(!e.kind().empty());
    transcript += "BODY ERROR " + e.kind() + "\n";
  } catch (const gf::util::IoError&) {
    transcript += "DISCONNECTED\n";  // premature disconnection
  }
  return transcript;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < kControlBytes) return 0;
  const uint8_t a = data[0], b = data[1], c = data[2], d = data[3];
  const gf::http::ParserOptions options = options_from(a, b);
  gf::http::PeerInfo peer;
  peer.is_unix = c & 1;
  peer.addr = peer.is_unix ? "" : "10.0.0.1";
  peer.port = peer.is_unix ? 0 : 4321;
  peer.trusted_forwarder = c & 2;
  peer.proxy_allowed = c & 4;
  peer.is_tls = c & 8;
  Splitter splitter{static_cast<uint32_t>(d * 2654435761u + size), (c >> 4) & 3};
  static constexpr size_t kMaxBody[] = {SIZE_MAX, 1, 3, 8192};
  const size_t max_body = kMaxBody[(c >> 6) & 3];

  const std::string_view input(reinterpret_cast<const char*>(data) + kControlBytes,
                               size - kControlBytes);
  const std::string split = run(options, peer, input, splitter, max_body);
  if (splitter.mode != 0 || max_body != SIZE_MAX) {
    const std::string whole = run(options, peer, input, Splitter{0, 0}, SIZE_MAX);
    if (split != whole) {
      std::fprintf(stderr, "split delivery changed the outcome\n--- whole:\n%s\n--- split:\n%s\n",
                   whole.c_str(), split.c_str());
      std::abort();
    }
  }
  return 0;
}
