// A request body as an application adapter reads it, whatever carries it: the HTTP/1 reader now,
// an HTTP/2 stream later. The adapter (WSGI's wsgi.input) knows nothing of framing.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "http/request.hpp"

namespace gf::http {

class BodySource {
 public:
  virtual ~BodySource() = default;
  // Copies up to out.size() decoded body bytes; 0 means the body is complete. May wait for the
  // client (bounded by a timeout). Throws BodyError on a malformed body and util::IoError when
  // the client disconnects before the body is complete (never returns a short body as complete).
  virtual size_t read_body(std::span<char> out) = 0;
  virtual bool body_complete() const = 0;
  // Trailer fields received after the body (valid once body_complete()).
  virtual const std::vector<HeaderField>& trailers() const = 0;
};

}  // namespace gf::http
