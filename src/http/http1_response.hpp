// One HTTP/1.x response as Gunicorn's WSGI Response writes it: the policy decides (validation,
// hop-by-hop, framing), the serializer formats, and the bytes go to a util::ByteSink - a blocking
// socket stream (sync worker) or a connection's output queue (event loop). The head goes out
// with the first non-empty body chunk in one write.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <span>

#include "http/http_date.hpp"
#include "http/response_policy.hpp"
#include "http/response_sink.hpp"
#include "util/stream.hpp"

namespace gf::http {

class Http1Response final : public ResponseSink {
 public:
  // force_close: the worker will not keep the connection (sync worker, shutting down,
  // max-requests reached) so the response says "Connection: close".
  // date: the Date header source; nullptr = this thread's cached system clock.
  Http1Response(util::ByteSink& out, const RequestHead& request, bool force_close,
                HttpDate* date = nullptr);

  void start(std::string_view status, std::vector<HeaderField> headers) override;
  void write(std::string_view chunk, const util::SharedBytes* shared = nullptr) override;
  void send_file(int file, off_t offset, size_t count) override;
  void finish() override;
  void send_error(int status) override;

  bool started() const override { return policy_.started(); }
  bool headers_sent() const override { return headers_sent_; }
  int status_code() const override { return policy_.head().status_code; }
  const std::string& status() const override { return policy_.head().status; }
  const std::vector<HeaderField>& headers() const override { return policy_.head().headers; }
  uint64_t body_bytes_sent() const override { return policy_.body_bytes(); }
  bool should_close() const override { return policy_.head().must_close; }
  bool body_dropped() const override { return policy_.body_dropped(); }
  bool congested() const override { return out_.congested(); }
  void wait_uncongested() override { out_.wait_uncongested(); }
  // The application answered "Connection: upgrade".
  bool upgrade() const { return policy_.head().upgrade; }

 private:
  bool chunked() const { return policy_.head().framing == BodyFraming::kChunked; }
  void send_head(std::span<const iovec> body, const util::SharedBytes* shared);
  void write_body(std::string_view data, const util::SharedBytes* shared);

  util::ByteSink& out_;
  const RequestHead& request_;
  ResponsePolicy policy_;
  bool headers_sent_ = false;
  bool finished_ = false;
  HttpDate& date_;
};

}  // namespace gf::http
