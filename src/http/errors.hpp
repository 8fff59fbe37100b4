// Errors a request can end in. A RequestError is answered with an error page (status + message,
// Gunicorn's wording) and the connection closed; a BodyError is a broken body found while the app
// reads it: like a socket error, no response is sent and the connection is dropped.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "util/stream.hpp"

namespace gf::http {

class RequestError : public std::runtime_error {
 public:
  // kind: Gunicorn's exception class name ("InvalidRequestLine", "LimitRequestHeaders", ...),
  // used in the log line "Invalid request from ip=...: <what()>".
  RequestError(int status, std::string kind, std::string message)
      : std::runtime_error(message), status_(status), kind_(std::move(kind)) {}
  int status() const { return status_; }
  const std::string& kind() const { return kind_; }

 private:
  int status_;
  std::string kind_;
};

class BodyError : public util::IoError {
 public:
  BodyError(std::string kind, const std::string& message)
      : util::IoError(message), kind_(std::move(kind)) {}
  const std::string& kind() const { return kind_; }

 private:
  std::string kind_;
};

// A chunked body that grew past limit_request_body: broken like a BodyError, but answered with
// a 413 when no response has started.
class BodyTooLarge : public BodyError {
 public:
  using BodyError::BodyError;
};

// The 413 for a body over limit_request_body.
RequestError body_too_large(uint64_t limit);

}  // namespace gf::http
