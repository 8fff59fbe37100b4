// Serializes one HTTP/1.x response the way Gunicorn's WSGI Response does: status line mirroring
// the request version, Server/Date/Connection defaults, hop-by-hop headers dropped, Content-Length
// honoured (extra bytes truncated), chunked coding when no length is known, no body for
// HEAD/1xx/204/304. The head goes out with the first non-empty body chunk in one writev.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/errors.hpp"
#include "http/http_date.hpp"
#include "http/request.hpp"
#include "util/stream.hpp"

namespace gf::http {

// An application gave a status or header that must never reach the wire (CR/LF/NUL, bad token).
class InvalidResponse : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ResponseWriter {
 public:
  // force_close: the worker will not keep the connection (sync worker, shutting down,
  // max-requests reached) so the response says "Connection: close".
  // date: the Date header source; nullptr = this thread's cached system clock.
  ResponseWriter(util::ByteSink& sink, const RequestHead& request, bool force_close,
                 HttpDate* date = nullptr);

  // Validate and record the status ("200 OK") and app headers; throws InvalidResponse.
  // May be called again before headers are sent (start_response with exc_info) - it replaces
  // the previous status and headers.
  void start(std::string_view status, std::vector<HeaderField> headers);

  void write(std::string_view chunk);  // empty chunks are ignored (headers still pending)
  void send_file(int fd, off_t offset, size_t count);
  void finish();  // sends the head if still pending, then the terminating chunk if chunked

  bool started() const;
  bool headers_sent() const;
  int status_code() const;
  const std::string& status() const;
  const std::vector<HeaderField>& headers() const;  // app headers as given (names as given)
  uint64_t body_bytes_sent() const;                 // body only, without chunk framing
  bool should_close() const;                        // connection must close after this response
  bool upgrade() const { return upgrade_; }         // the app answered "Connection: upgrade"
  bool body_dropped() const {
    return warned_body_dropped_;
  }  // body bytes given for HEAD/1xx/204/304

  // Gunicorn's error page: "HTTP/1.1 <code> <reason>\r\nConnection: close\r\n..." + HTML body.
  static std::string error_page(int status, std::string_view message);
  // The page for a rejected request: status and message text as Gunicorn's handle_error words them.
  static std::string error_page(const RequestError& error);
  static std::string error_page_message(const RequestError& error);
  static std::string_view reason_phrase(int status);
  // The interim response for "Expect: 100-continue".
  static std::string_view continue_line() { return "HTTP/1.1 100 Continue\r\n\r\n"; }
  // Sends a complete pre-built response instead of this writer's own (python/: the 500 page after
  // an application error, when no byte was sent yet). The connection must close afterwards.
  void send_raw(std::string_view bytes) {
    sink_.write_bytes(bytes);
    headers_sent_ = true;
    finished_ = true;
    must_close_ = true;
  }

 private:
  void send_head(std::span<const iovec> body);
  void write_body(std::string_view data);
  std::string build_head();

  util::ByteSink& sink_;
  const RequestHead& request_;
  bool force_close_;
  bool started_ = false;
  bool headers_sent_ = false;
  bool chunked_ = false;
  bool body_allowed_ = true;
  bool must_close_ = false;
  int status_code_ = 0;
  std::string status_;
  std::vector<HeaderField> headers_;
  std::optional<uint64_t> content_length_;
  uint64_t sent_ = 0;
  bool warned_body_dropped_ = false;
  bool upgrade_ = false;
  bool finished_ = false;
  HttpDate& date_;
};

}  // namespace gf::http
