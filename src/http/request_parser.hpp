// Push parser for HTTP/1.x requests on one connection: fed bytes as they arrive, it reports a
// validated head, then body data, then the end of the message, and stops there so pipelined
// bytes stay with the caller for the next request. Used by the blocking RequestReader and, later,
// by event-loop workers; it owns no buffer and never reads a socket.
//
// Why not llhttp on the raw bytes: Gunicorn's rules differ from llhttp's in both directions
// (any 3-20 char upper-case token is a method, HTTP/1.2-1.9 are accepted, obs-fold and
// "Name :" are configurable, chunk extensions are free-form, limits are per line and per block),
// and Gunicorn's behaviour is the contract. So every rule of reference section 6 is implemented
// here directly; llhttp (strict) serves as an independent framing oracle in the unit tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "http/chunked_decoder.hpp"
#include "http/parse_limits.hpp"
#include "http/parser_options.hpp"
#include "http/request.hpp"

namespace gf::http {

enum class ParseEvent {
  kNeedMore,         // feed again with the unconsumed bytes plus more
  kHead,             // head() is ready; the body (if any) follows
  kBody,             // ParseStep::body holds decoded body bytes
  kMessageComplete,  // body finished; call next_message() before the next request
};

struct ParseStep {
  ParseEvent event = ParseEvent::kNeedMore;
  size_t consumed = 0;    // bytes of the input that are done with; drop them from the buffer
  std::string_view body;  // kBody only: a view into the input
};

class RequestParser {
 public:
  // Both are referenced, not copied: they must outlive the parser.
  RequestParser(const ParserOptions& options, const PeerInfo& peer);

  // `data` starts at the first byte not yet consumed. While a head is incomplete nothing is
  // consumed; the caller appends more bytes and feeds the same prefix again (the parser resumes
  // its scan where it stopped, so byte-by-byte feeding stays linear). Body bytes stream: at most
  // `max_body` of them per step. Throws RequestError for a bad head (answer it, then close) and
  // BodyError for a broken body (drop the connection).
  ParseStep feed(std::string_view data, size_t max_body = std::numeric_limits<size_t>::max());

  // The peer closed the connection with `unconsumed` bytes still buffered. Returns normally if
  // that is a clean end (between messages); throws util::IoError or BodyError otherwise.
  void on_eof(size_t unconsumed) const;

  // Prepares for the next request on the connection (after kMessageComplete).
  void next_message();

  bool awaiting_head() const { return state_ == State::kHead; }
  bool message_complete() const { return state_ == State::kComplete; }
  // Undecoded body bytes still expected for a Content-Length body (nullopt when chunked).
  std::optional<uint64_t> length_remaining() const;

  const RequestHead& head() const { return head_; }
  RequestHead& head() { return head_; }
  const std::vector<HeaderField>& trailers() const { return chunked_.trailers(); }
  const ParseLimits& limits() const { return limits_; }
  // The most bytes a head (PROXY header included) can occupy before a limit rejects it.
  size_t max_head_bytes() const;

 private:
  enum class State { kHead, kLengthBody, kChunkedBody, kComplete };

  ParseStep feed_head(std::string_view data);
  ParseStep feed_body(std::string_view data, size_t max_body);
  bool scan_proxy_header(std::string_view data);
  void build_head(std::string_view line, std::string_view header_block);

  const ParserOptions& options_;
  const PeerInfo& peer_;
  ParseLimits limits_;
  State state_ = State::kHead;
  RequestHead head_;
  ChunkedDecoder chunked_;
  uint64_t length_remaining_ = 0;
  uint64_t chunked_total_ = 0;  // decoded bytes of a chunked body so far (limit_request_body)

  // Head scanning state, valid while state_ == kHead (the input prefix never changes).
  bool proxy_checked_ = false;
  size_t proxy_length_ = 0;
  std::optional<ProxyInfo> proxy_;  // kept for every request of the connection
  size_t line_length_ = std::string_view::npos;
  size_t scanned_ = 0;  // bytes after the PROXY header already searched for terminators
};

}  // namespace gf::http
