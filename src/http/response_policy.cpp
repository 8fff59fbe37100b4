#include "http/response_policy.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "http/char_classes.hpp"
#include "util/python_repr.hpp"

namespace gf::http {
namespace {

constexpr std::array<std::string_view, 8> kHopByHop = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
    "te",         "trailers",   "transfer-encoding",  "upgrade"};

bool is_hop_by_hop(std::string_view name) {
  return std::any_of(kHopByHop.begin(), kHopByHop.end(),
                     [name](std::string_view hop) { return chars::iequals(hop, name); });
}

// Gunicorn's response value rule: [ \t\x21-\x7e\x80-\xff]*
bool valid_header_value(std::string_view v) {
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 ? u != '\t' : u == 0x7f) return false;
  }
  return true;
}

int parse_status(std::string_view status) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (status.size() < 3 || !digit(status[0]) || !digit(status[1]) || !digit(status[2]) ||
      (status.size() > 3 && status[3] != ' '))
    throw InvalidResponse("Invalid status: " + util::python_repr_latin1(status));
  for (char c : status)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      throw InvalidResponse("Invalid status: " + util::python_repr_latin1(status));
  return (status[0] - '0') * 100 + (status[1] - '0') * 10 + (status[2] - '0');
}

uint64_t parse_content_length(std::string_view value) {
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (value.empty()) throw InvalidResponse("Invalid Content-Length: ''");
  uint64_t n = 0;
  for (char c : value) {
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (c < '0' || c > '9' || n > (kMax - digit) / 10)
      throw InvalidResponse("Invalid Content-Length: " + util::python_repr_latin1(value));
    n = n * 10 + digit;
  }
  return n;
}

}  // namespace

void ResponsePolicy::start(std::string_view status, std::vector<HeaderField> headers) {
  const int code = parse_status(status);
  std::vector<HeaderField> kept;
  kept.reserve(headers.size());
  std::optional<uint64_t> content_length;
  bool upgrade = false;
  for (auto& h : headers) {
    if (!chars::is_token(h.name))
      throw InvalidResponse("Invalid HTTP header name: " + util::python_repr_latin1(h.name));
    if (!valid_header_value(h.value))
      throw InvalidResponse("Invalid HTTP Header: " + util::python_repr_latin1(h.value));
    const std::string_view value = chars::strip_sp_htab(h.value);
    if (h.is("content-length")) {
      content_length = parse_content_length(value);
    } else if (is_hop_by_hop(h.name)) {
      if (h.is("connection") && chars::iequals(value, "upgrade")) upgrade = true;
      if (!(h.is("upgrade") && chars::iequals(value, "websocket"))) continue;
    } else if (h.is("server") || h.is("date")) {
      continue;  // ours go first
    }
    if (value.size() != h.value.size()) h.value = std::string(value);
    kept.push_back(std::move(h));
  }

  const bool no_body_status = code < 200 || code == 204 || code == 304;
  if (code < 200 || code == 204)  // Content-Length is meaningless there; HEAD/304 keep it
    std::erase_if(kept, [](const HeaderField& h) { return h.is("content-length"); });
  const bool body_allowed = !exchange_.head_request && !no_body_status;

  head_.status_code = code;
  head_.status.assign(status);
  head_.headers = std::move(kept);
  head_.content_length = content_length;
  head_.upgrade = upgrade;
  head_.framing = !body_allowed      ? BodyFraming::kNone
                  : content_length   ? BodyFraming::kLength
                  : exchange_.http11 ? BodyFraming::kChunked
                                     : BodyFraming::kUntilClose;
  head_.must_close = !exchange_.keep_alive || head_.framing == BodyFraming::kUntilClose;
  started_ = true;
}

size_t ResponsePolicy::admit(size_t n) {
  if (head_.framing == BodyFraming::kNone) {
    if (n > 0) body_dropped_ = true;
    return 0;
  }
  if (head_.content_length) {
    const uint64_t room = *head_.content_length - std::min(sent_, *head_.content_length);
    n = static_cast<size_t>(std::min<uint64_t>(n, room));
  }
  sent_ += n;
  return n;
}

}  // namespace gf::http
