// A response as an application adapter produces it, whatever carries it: HTTP/1 now
// (Http1Response), an HTTP/2 stream later. The adapter (WSGI's start_response/write, ASGI's send)
// knows no bytes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.hpp"
#include "util/stream.hpp"

namespace gf::http {

class ResponseSink {
 public:
  virtual ~ResponseSink() = default;

  // Validates and records the status ("200 OK") and headers; throws InvalidResponse. May be
  // called again before the head is sent (start_response with exc_info) to replace them.
  virtual void start(std::string_view status, std::vector<HeaderField> headers) = 0;
  // Body bytes (empty ones are ignored: the head stays pending). `shared`, when given, keeps
  // `chunk` alive, so a sink that queues may hold it instead of copying it. Throws IoError.
  virtual void write(std::string_view chunk, const util::SharedBytes* shared = nullptr) = 0;
  // `count` bytes of `file` from `offset` (sendfile where the transport allows).
  virtual void send_file(int file, off_t offset, size_t count) = 0;
  // Ends the response (the head if still pending, the terminating chunk). Idempotent.
  virtual void finish() = 0;
  // Replaces a response that sent nothing yet with greenfork's error page for `status` (500
  // after an application error); the connection closes afterwards.
  virtual void send_error(int status) = 0;

  virtual bool started() const = 0;
  virtual bool headers_sent() const = 0;
  virtual int status_code() const = 0;
  virtual const std::string& status() const = 0;
  virtual const std::vector<HeaderField>& headers() const = 0;  // as given (names as given)
  virtual uint64_t body_bytes_sent() const = 0;                 // body only, without framing
  virtual bool should_close() const = 0;  // the connection must close after this response
  virtual bool body_dropped() const = 0;  // body bytes were given for HEAD/1xx/204/304

  // Back-pressure: the client takes the response slower than it is produced. A producer that
  // can pause (an iterable's next chunk) stops until the connection has drained; one that
  // cannot (WSGI's write()) calls wait_uncongested(), which blocks its thread.
  virtual bool congested() const = 0;
  virtual void wait_uncongested() = 0;
};

}  // namespace gf::http
