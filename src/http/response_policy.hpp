// What a response may say and how its body is delimited, decided once for any protocol (HTTP/1
// now, HTTP/2 later): Gunicorn's status and header validation, hop-by-hop removal, and the
// framing choice (Content-Length, chunked, or close), plus the body's byte accounting.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.hpp"

namespace gf::http {

// An application gave a status or header that must never reach the wire (CR/LF/NUL, bad token).
class InvalidResponse : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class BodyFraming {
  kLength,      // Content-Length given by the application (extra bytes are cut)
  kChunked,     // HTTP/1.1 without a length
  kUntilClose,  // HTTP/1.0 without a length: the end of the connection ends the body
  kNone,        // HEAD, 1xx, 204, 304: no body whatever the application sends
};

struct ResponseHead {
  int status_code = 0;
  std::string status;                // "200 OK", as the application wrote it
  std::vector<HeaderField> headers;  // the application's, validated; hop-by-hop, Server and Date
                                     // removed (Content-Length too where it means nothing)
  std::optional<uint64_t> content_length;
  BodyFraming framing = BodyFraming::kNone;
  bool must_close = false;  // the connection ends after this response
  bool upgrade = false;     // the application answered "Connection: upgrade"
};

// One response's policy. Not thread-safe; lives as long as its response.
class ResponsePolicy {
 public:
  struct Exchange {
    bool head_request = false;  // no body whatever the status
    bool http11 = true;         // chunked coding available
    bool keep_alive = true;     // the request allows it and the server wants it
  };
  explicit ResponsePolicy(const Exchange& exchange) : exchange_(exchange) {}

  // Validates and records the status and headers (start_response); may be called again to
  // replace them until the head is sent. Throws InvalidResponse.
  void start(std::string_view status, std::vector<HeaderField> headers);
  bool started() const { return started_; }
  const ResponseHead& head() const { return head_; }

  // How many of `n` more body bytes may be sent: all of them, fewer at the Content-Length, or
  // none when the response has no body. Counts what it lets through.
  size_t admit(size_t n);
  uint64_t body_bytes() const { return sent_; }
  // The application gave body bytes for a response that has none (HEAD/1xx/204/304).
  bool body_dropped() const { return body_dropped_; }
  // The connection must end after this response even though the head said otherwise (an error
  // page replaced it).
  void force_close() { head_.must_close = true; }

 private:
  Exchange exchange_;
  ResponseHead head_;
  bool started_ = false;
  uint64_t sent_ = 0;
  bool body_dropped_ = false;
};

}  // namespace gf::http
