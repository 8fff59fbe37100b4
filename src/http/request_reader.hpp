// Reads requests off one connection: the head through llhttp plus Gunicorn's extra checks, then
// the body (Content-Length or chunked) on demand, never past the end of the current request.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "http/errors.hpp"
#include "http/parser_options.hpp"
#include "http/request.hpp"
#include "util/stream.hpp"

namespace gf::http {

class RequestReader {
 public:
  // `options` is referenced and must outlive the reader (it comes from the process-wide config);
  // `peer` is copied.
  RequestReader(const ParserOptions& options, util::ByteSource& source, const PeerInfo& peer);
  ~RequestReader();

  // Reads and validates the next request head. Returns nullopt when the peer closed the
  // connection cleanly before sending a byte of a new request (or after a message that must
  // close). Throws RequestError (answer with its status, then close) or util::IoError (drop).
  // EOF in the middle of a head throws util::IoError ("Ignored premature client disconnection").
  std::optional<RequestHead> read_head();

  // Copies up to out.size() decoded body bytes of the current request; 0 means the body is
  // complete. Throws BodyError on malformed chunking or trailers, and util::IoError when the
  // client disconnects before the body is complete (never returns a short body as complete).
  size_t read_body(std::span<char> out);
  bool body_complete() const;

  // Trailer fields received after a chunked body (valid once body_complete()).
  const std::vector<HeaderField>& trailers() const;

  // Reads and discards the rest of the body, at most `limit` bytes; true if the body ended.
  bool drain_body(size_t limit);

  // Bytes already received beyond the current request (pipelining); zero for a sync worker
  // that read exactly one request.
  size_t buffered_bytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gf::http
