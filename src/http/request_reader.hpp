// Reads HTTP/1 requests off one connection: the head through RequestParser (Gunicorn's rules),
// then the body (Content-Length or chunked) on demand, never past the end of the current request.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "http/body_source.hpp"
#include "http/errors.hpp"
#include "http/parser_options.hpp"
#include "http/request.hpp"
#include "util/stream.hpp"

namespace gf::http {

class RequestReader final : public BodySource {
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
  size_t read_body(std::span<char> out) override;
  bool body_complete() const override;

  // Trailer fields received after a chunked body (valid once body_complete()).
  const std::vector<HeaderField>& trailers() const override;

  // Reads and discards the rest of the body, at most `limit` bytes; true if the body ended.
  bool drain_body(size_t limit);

  // Bytes already received beyond the current request (pipelining); zero for a sync worker
  // that read exactly one request.
  size_t buffered_bytes() const;

  // --- Event-loop use: the loop receives into the reader's buffer and parses what is there,
  // without the reader ever waiting on the source. Body reads beyond what was received (or
  // prefetched) still go to the source, which then waits with a timeout.

  // Free space at the end of the buffer for the next receive (never empty).
  std::span<char> receive_space();
  // `n` bytes were written into receive_space().
  void received(size_t n);
  // The peer closed its side. Returns normally when that is a clean end between requests;
  // throws util::IoError (or BodyError) when it cut a request short.
  void received_eof();
  // Parses the next request head from received bytes only. The previous request's body must be
  // complete (body_complete()); its unread, already-decoded bytes are discarded. Returns nullopt
  // when more bytes are needed. Throws RequestError like read_head().
  std::optional<RequestHead> parse_head();
  // Decodes received body bytes of the current request into a side buffer that read_body()
  // serves first, until `cap` bytes are held or the body is complete. True when either is the
  // case: the request can be handed to the application without it waiting on a slow client.
  bool prefetch_body(size_t cap);
  // Received bytes not yet parsed (a pipelined request, or part of one).
  bool has_unparsed_input() const;
  // Takes the received bytes not parsed yet, for a protocol that replaces HTTP/1 on the
  // connection (WebSocket frames a client sent right after its handshake).
  std::string take_unparsed();
  // The current body broke off because it grew past limit_request_body.
  bool body_too_large() const;
  // Decoded body bytes held by prefetch_body() that read_body() hands out without waiting.
  size_t prefetched_bytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gf::http
