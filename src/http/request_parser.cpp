#include "http/request_parser.hpp"

#include <algorithm>
#include <string>

#include "http/errors.hpp"
#include "http/header_block.hpp"
#include "http/message_framing.hpp"
#include "http/proxy_protocol.hpp"
#include "http/request_line.hpp"
#include "util/stream.hpp"

namespace gf::http {

namespace {

[[noreturn]] void line_too_large(size_t size, size_t limit) {
  throw RequestError(
      400, "LimitRequestLine",
      "Request Line is too large (" + std::to_string(size) + " > " + std::to_string(limit) + ")");
}

[[noreturn]] void headers_too_large() {
  throw RequestError(431, "LimitRequestHeaders", "max buffer headers");
}

// The largest PROXY header we buffer: v2 carries a 16-bit length.
constexpr size_t kMaxProxyHeader = 16 + 65535;

}  // namespace

RequestParser::RequestParser(const ParserOptions& options, const PeerInfo& peer)
    : options_(options),
      peer_(peer),
      limits_(ParseLimits::from(options)),
      chunked_(options_, limits_) {
  proxy_checked_ = options_.proxy_protocol == ProxyProtocol::kOff;
}

size_t RequestParser::max_head_bytes() const {
  size_t proxy = options_.proxy_protocol == ProxyProtocol::kOff ? 0 : kMaxProxyHeader;
  return proxy + limits_.request_line + 2 + limits_.max_buffer_headers + 4;
}

std::optional<uint64_t> RequestParser::length_remaining() const {
  if (state_ == State::kChunkedBody) return std::nullopt;
  return state_ == State::kLengthBody ? length_remaining_ : 0;
}

ParseStep RequestParser::feed(std::string_view data, size_t max_body) {
  if (state_ == State::kHead) return feed_head(data);
  return feed_body(data, max_body);
}

bool RequestParser::scan_proxy_header(std::string_view data) {
  ProxyHeaderResult result = parse_proxy_header(data, options_.proxy_protocol, peer_);
  if (result.status == ProxyHeaderResult::Status::kNeedMore) return false;
  if (result.status == ProxyHeaderResult::Status::kParsed) {
    proxy_ = std::move(result.info);
    proxy_length_ = result.consumed;
  }
  proxy_checked_ = true;
  return true;
}

ParseStep RequestParser::feed_head(std::string_view data) {
  if (!proxy_checked_ && !scan_proxy_header(data)) return {};
  std::string_view rest = data.substr(std::min(proxy_length_, data.size()));

  if (line_length_ == std::string_view::npos) {
    // A CR at the end of the previous input may pair with an LF that just arrived.
    size_t end = rest.find("\r\n", scanned_ ? scanned_ - 1 : 0);
    if (end == std::string_view::npos) {
      scanned_ = rest.size();
      if (rest.size() > limits_.request_line + 2) line_too_large(rest.size(), limits_.request_line);
      return {};
    }
    if (end > limits_.request_line) line_too_large(end, limits_.request_line);
    line_length_ = end;
    scanned_ = end + 2;
  }

  size_t headers_start = line_length_ + 2;
  if (rest.size() < headers_start + 2) return {};
  size_t head_end;
  std::string_view block;
  if (rest.substr(headers_start, 2) == "\r\n") {
    head_end = headers_start + 2;
  } else {
    size_t from = std::max(headers_start, scanned_ >= 3 ? scanned_ - 3 : 0);
    size_t end = rest.find("\r\n\r\n", from);
    if (end == std::string_view::npos) {
      scanned_ = rest.size();
      // Up to 3 trailing bytes may be the start of the "\r\n\r\n" that the limit does not
      // count: reject only a block that is over the limit however it ends, so the outcome does
      // not depend on how the bytes arrived.
      if (rest.size() - headers_start > limits_.max_buffer_headers + 3) headers_too_large();
      return {};
    }
    block = rest.substr(headers_start, end - headers_start);
    if (block.size() > limits_.max_buffer_headers) headers_too_large();
    head_end = end + 4;
  }

  build_head(rest.substr(0, line_length_), block);
  ParseStep step;
  step.event = ParseEvent::kHead;
  step.consumed = proxy_length_ + head_end;
  return step;
}

void RequestParser::build_head(std::string_view line, std::string_view header_block) {
  head_.headers.clear();
  head_.framing.expect_continue = false;
  head_.proxy = proxy_;
  head_.url_scheme = peer_.is_tls ? "https" : "http";
  parse_request_line(line, options_, head_);

  HeaderBlockRules rules{options_, limits_, peer_.trusted_forwarder || peer_.is_unix, false};
  HeaderBlockFacts facts;
  parse_header_block(header_block, rules, head_.version_major, head_.version_minor, head_.headers,
                     facts);
  head_.framing.expect_continue = facts.expect_continue;
  if (facts.scheme_set) head_.url_scheme = facts.scheme;
  apply_message_framing(head_);

  const uint64_t limit = options_.limit_request_body;
  if (limit > 0 && head_.framing.body_kind == BodyKind::kLength &&
      head_.framing.content_length > limit)
    throw body_too_large(limit);
  if (head_.framing.body_kind == BodyKind::kChunked) {
    chunked_.reset();
    chunked_total_ = 0;
    state_ = State::kChunkedBody;
  } else {
    length_remaining_ =
        head_.framing.body_kind == BodyKind::kLength ? head_.framing.content_length : 0;
    state_ = State::kLengthBody;
  }
}

ParseStep RequestParser::feed_body(std::string_view data, size_t max_body) {
  ParseStep step;
  if (state_ == State::kComplete) {
    step.event = ParseEvent::kMessageComplete;
    return step;
  }
  if (state_ == State::kLengthBody) {
    if (length_remaining_ == 0) {
      state_ = State::kComplete;
      step.event = ParseEvent::kMessageComplete;
      return step;
    }
    size_t n =
        static_cast<size_t>(std::min<uint64_t>(length_remaining_, std::min(data.size(), max_body)));
    if (n == 0) return step;
    length_remaining_ -= n;
    step.event = ParseEvent::kBody;
    step.consumed = n;
    step.body = data.substr(0, n);
    return step;
  }
  ChunkedDecoder::Step decoded = chunked_.feed(data, max_body);
  step.consumed = decoded.consumed;
  if (!decoded.data.empty()) {
    chunked_total_ += decoded.data.size();
    if (options_.limit_request_body > 0 && chunked_total_ > options_.limit_request_body)
      throw BodyTooLarge("LimitRequestBody", body_too_large(options_.limit_request_body).what());
    step.event = ParseEvent::kBody;
    step.body = decoded.data;
  } else if (decoded.complete) {
    state_ = State::kComplete;
    step.event = ParseEvent::kMessageComplete;
  }
  return step;
}

void RequestParser::on_eof(size_t unconsumed) const {
  switch (state_) {
    case State::kHead:
      if (unconsumed == 0 && proxy_length_ == 0) return;
      throw util::IoError("Ignored premature client disconnection");
    case State::kLengthBody:
      if (length_remaining_ == 0) return;
      throw BodyError("NoMoreData", "client disconnected before the request body was complete");
    case State::kChunkedBody:
      if (chunked_.complete()) return;
      chunked_.throw_truncated();
    case State::kComplete:
      return;
  }
}

void RequestParser::next_message() {
  state_ = State::kHead;
  proxy_checked_ = true;  // PROXY headers only precede the first request
  proxy_length_ = 0;
  line_length_ = std::string_view::npos;
  scanned_ = 0;
  length_remaining_ = 0;
  chunked_.reset();
}

}  // namespace gf::http
