#include "http/message_framing.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include "http/char_classes.hpp"
#include "http/errors.hpp"
#include "util/python_repr.hpp"

namespace gf::http {

namespace {

[[noreturn]] void invalid_header(std::string_view name) {
  throw RequestError(400, "InvalidHeader",
                     "Invalid HTTP Header: " + util::python_repr_latin1(name));
}

void reject_duplicate_singletons(const RequestHead& head) {
  bool host = false;
  bool content_type = false;
  for (const auto& h : head.headers) {
    bool* seen = h.is("HOST") ? &host : h.is("CONTENT-TYPE") ? &content_type : nullptr;
    if (!seen) continue;
    if (*seen) invalid_header(h.upper_name());
    *seen = true;
  }
}

// Python's isnumeric() + int(): ASCII digits only in practice. Values beyond 63 bits are refused
// (Gunicorn would accept them and then wait for a body that can never arrive).
uint64_t parse_content_length(std::string_view value) {
  if (value.empty()) invalid_header("CONTENT-LENGTH");
  uint64_t n = 0;
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  for (char c : value) {
    if (c < '0' || c > '9') invalid_header("CONTENT-LENGTH");
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (n > (kMax - digit) / 10) invalid_header("CONTENT-LENGTH");
    n = n * 10 + digit;
  }
  return n;
}

// One Transfer-Encoding header value, comma separated. Returns true if it forces a close.
bool apply_transfer_codings(std::string_view value, bool& chunked) {
  bool must_close = false;
  std::string_view rest = value;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view coding = chars::strip_sp_htab(rest.substr(0, comma));
    if (chars::iequals(coding, "chunked")) {
      if (chunked) invalid_header("TRANSFER-ENCODING");
      chunked = true;
    } else if (chars::iequals(coding, "identity")) {
      if (chunked) invalid_header("TRANSFER-ENCODING");
    } else if (chars::iequals(coding, "gzip") || chars::iequals(coding, "deflate") ||
               chars::iequals(coding, "compress")) {
      if (chunked) invalid_header("TRANSFER-ENCODING");
      must_close = true;
    } else {
      throw RequestError(501, "UnsupportedTransferCoding",
                         "Unsupported transfer coding: " + util::python_repr_latin1(value));
    }
    if (comma == rest.npos) break;
    rest.remove_prefix(comma + 1);
  }
  return must_close;
}

bool should_close(const RequestHead& head, bool must_close) {
  if (must_close) return true;
  for (const auto& h : head.headers) {
    if (!h.is("CONNECTION")) continue;
    // Only the first Connection header decides, as in Gunicorn.
    if (chars::iequals(h.value, "close")) return true;
    if (chars::iequals(h.value, "keep-alive")) return false;
    break;
  }
  return head.version_major < 1 || (head.version_major == 1 && head.version_minor == 0);
}

// "Connection: upgrade" (among its tokens) and an Upgrade header: the client proposes another
// protocol on this connection (WebSocket, h2c). Informational: HTTP/1 serving ignores it.
bool asks_for_upgrade(const RequestHead& head) {
  if (head.find("UPGRADE") == nullptr) return false;
  for (const auto& h : head.headers) {
    if (!h.is("CONNECTION")) continue;
    std::string_view rest = h.value;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      if (chars::iequals(chars::strip_sp_htab(rest.substr(0, comma)), "upgrade")) return true;
      if (comma == rest.npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

}  // namespace

void apply_message_framing(RequestHead& head) {
  reject_duplicate_singletons(head);
  bool chunked = false;
  bool must_close = false;
  const std::string* content_length = nullptr;
  for (const auto& h : head.headers) {
    if (h.is("CONTENT-LENGTH")) {
      if (content_length) invalid_header("CONTENT-LENGTH");
      content_length = &h.value;
    } else if (h.is("TRANSFER-ENCODING")) {
      must_close |= apply_transfer_codings(h.value, chunked);
    }
  }
  RequestFraming& framing = head.framing;
  framing.content_length = 0;
  if (chunked) {
    if (head.version_major < 1 || (head.version_major == 1 && head.version_minor == 0))
      invalid_header("TRANSFER-ENCODING");
    if (content_length) invalid_header("CONTENT-LENGTH");
    framing.body_kind = BodyKind::kChunked;
  } else if (content_length) {
    framing.content_length = parse_content_length(*content_length);
    framing.body_kind = BodyKind::kLength;
  } else {
    framing.body_kind = BodyKind::kNone;  // requests are never read to EOF
  }
  framing.keep_alive = !should_close(head, must_close);
  framing.upgrade = asks_for_upgrade(head);
}

}  // namespace gf::http
