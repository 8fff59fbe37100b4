#include "http/http1_response.hpp"

#include <array>

#include "http/error_page.hpp"
#include "http/http1_serializer.hpp"

namespace gf::http {
namespace {

iovec iov(std::string_view s) {
  return {const_cast<char*>(s.data()), s.size()};
}

ResponsePolicy::Exchange exchange_of(const RequestHead& request, bool force_close) {
  return {.head_request = request.method == "HEAD",
          .http11 = request.http11_or_later(),
          .keep_alive = !force_close && request.framing.keep_alive};
}

}  // namespace

Http1Response::Http1Response(util::ByteSink& out, const RequestHead& request, bool force_close,
                             HttpDate* date)
    : out_(out),
      request_(request),
      policy_(exchange_of(request, force_close)),
      date_(date ? *date : HttpDate::thread_default()) {}

void Http1Response::start(std::string_view status, std::vector<HeaderField> headers) {
  if (headers_sent_) throw InvalidResponse("headers already sent");
  policy_.start(status, std::move(headers));
}

void Http1Response::send_head(std::span<const iovec> body, const util::SharedBytes* shared) {
  const std::string head = http1::response_head(policy_.head(), request_.version_major,
                                                request_.version_minor, date_.now());
  std::array<iovec, 8> parts;
  size_t count = 0;
  parts[count++] = iov(head);
  for (const iovec& b : body) parts[count++] = b;
  headers_sent_ = true;  // set first: a failed write must not be retried as a fresh head
  out_.write_all(std::span<const iovec>(parts.data(), count), shared);
}

void Http1Response::write_body(std::string_view data, const util::SharedBytes* shared) {
  std::array<char, 24> size_line;
  std::array<iovec, 3> parts;
  size_t count = 0;
  if (chunked()) {
    parts[count++] = iov(http1::chunk_size_line(data.size(), size_line));
    parts[count++] = iov(data);
    parts[count++] = iov(http1::kCrlf);
  } else {
    parts[count++] = iov(data);
  }
  if (!headers_sent_)
    send_head(std::span<const iovec>(parts.data(), count), shared);
  else
    out_.write_all(std::span<const iovec>(parts.data(), count), shared);
}

void Http1Response::write(std::string_view chunk, const util::SharedBytes* shared) {
  if (!started()) throw InvalidResponse("Response headers not set!");
  if (chunk.empty()) return;
  const size_t admitted = policy_.admit(chunk.size());
  if (admitted == 0) {
    if (!headers_sent_) send_head({}, nullptr);
    return;
  }
  write_body(chunk.substr(0, admitted), shared);
}

void Http1Response::send_file(int file, off_t offset, size_t count) {
  if (!started()) throw InvalidResponse("Response headers not set!");
  count = policy_.admit(count);
  if (count == 0) {
    if (!headers_sent_) send_head({}, nullptr);
    return;
  }
  std::array<char, 24> size_line;
  std::string_view framing;
  if (chunked()) framing = http1::chunk_size_line(count, size_line);
  std::array<iovec, 1> prefix{iov(framing)};
  if (!headers_sent_)
    send_head(std::span<const iovec>(prefix.data(), framing.empty() ? 0 : 1), nullptr);
  else if (!framing.empty())
    out_.write_all(prefix);
  out_.send_file(file, offset, count);
  if (chunked()) {
    std::array<iovec, 1> crlf{iov(http1::kCrlf)};
    out_.write_all(crlf);
  }
}

void Http1Response::finish() {
  if (!started()) throw InvalidResponse("Response headers not set!");
  if (finished_) return;
  finished_ = true;
  std::array<iovec, 1> last{iov(http1::kLastChunk)};
  std::span<const iovec> tail(last.data(), chunked() ? 1 : 0);
  if (!headers_sent_)
    send_head(tail, nullptr);
  else if (chunked())
    out_.write_all(tail);
}

void Http1Response::send_error(int status) {
  headers_sent_ = true;
  finished_ = true;
  policy_.force_close();
  out_.write_bytes(error_page(status, ""));
}

}  // namespace gf::http
