#include "http/request_reader.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <exception>
#include <string>

#include "http/errors.hpp"
#include "http/request_parser.hpp"

namespace gf::http {

namespace {
constexpr size_t kInitialBuffer = 8192;
}  // namespace

// One buffer per connection: [begin, end) are received bytes the parser has not consumed.
struct RequestReader::Impl {
  Impl(const ParserOptions& options, util::ByteSource& source, const PeerInfo& peer)
      : source(source), peer(peer), parser(options, this->peer), buffer(kInitialBuffer) {
    // Units the parser waits for whole (head, chunk-size line, trailers) never exceed this.
    max_buffer = std::max(parser.max_head_bytes(), kInitialBuffer);
  }

  std::string_view pending() const { return {buffer.data() + begin, end - begin}; }

  void consume(size_t n) {
    begin += n;
    if (begin == end) begin = end = 0;
  }

  // Reads more bytes; false at end of stream.
  bool fill() {
    if (end == buffer.size()) make_room();
    size_t n = source.read_some(std::span<char>(buffer.data() + end, buffer.size() - end));
    if (n == 0) return false;
    end += n;
    return true;
  }

  void make_room() {
    if (begin > 0) {
      std::memmove(buffer.data(), buffer.data() + begin, end - begin);
      end -= begin;
      begin = 0;
      return;
    }
    if (buffer.size() >= max_buffer)  // the parser's limits should have fired first
      throw util::IoError("request head does not fit its limits");
    buffer.resize(std::min(max_buffer, buffer.size() * 2));
  }

  // The parser's next step over the buffered bytes. A malformed body is remembered: every later
  // attempt fails the same way, instead of parsing on from wherever the error left the decoder
  // (which could take a body's trailers for a next request).
  ParseStep feed(size_t max_body) {
    if (body_error) std::rethrow_exception(body_error);
    try {
      return parser.feed(pending(), max_body);
    } catch (...) {
      if (have_message) body_error = std::current_exception();
      throw;
    }
  }

  // Feeds the parser until it reports something other than kNeedMore; reads as needed.
  ParseStep next_step(size_t max_body) {
    while (true) {
      ParseStep step = feed(max_body);
      if (step.event != ParseEvent::kNeedMore) return step;
      consume(step.consumed);
      if (!fill()) {
        parser.on_eof(end - begin);
        return step;  // clean end of stream
      }
    }
  }

  size_t read_body(std::span<char> out) {
    if (!have_message || out.empty()) return 0;
    if (prefetched_pos < prefetched.size()) {
      const size_t n = std::min(out.size(), prefetched.size() - prefetched_pos);
      std::memcpy(out.data(), prefetched.data() + prefetched_pos, n);
      prefetched_pos += n;
      if (prefetched_pos == prefetched.size()) discard_prefetched();
      return n;
    }
    if (complete) return 0;
    ParseStep step = next_step(out.size());
    if (step.event == ParseEvent::kBody) {
      std::memcpy(out.data(), step.body.data(), step.body.size());
      consume(step.consumed);
      return step.body.size();
    }
    if (step.event == ParseEvent::kNeedMore)  // EOF mid-body that on_eof did not reject
      throw util::IoError("client disconnected before the request body was complete");
    consume(step.consumed);
    complete = true;
    return 0;
  }

  void discard_prefetched() {
    prefetched.clear();
    prefetched_pos = 0;
  }

  // Ends the current message so that the next head can be parsed.
  void next_message() {
    parser.next_message();
    have_message = false;
    complete = false;
    body_error = nullptr;
    discard_prefetched();
  }

  bool body_complete() const {
    if (body_error) return false;
    return !have_message || complete || parser.message_complete() ||
           parser.length_remaining() == std::optional<uint64_t>(0);
  }

  util::ByteSource& source;
  PeerInfo peer;  // the parser refers to this copy
  RequestParser parser;
  std::vector<char> buffer;
  size_t max_buffer = kInitialBuffer;
  size_t begin = 0;
  size_t end = 0;
  bool have_message = false;      // a head was returned and its body may be pending
  bool keep_alive = true;         // of the last head returned
  bool complete = false;          // the current message's end was seen
  std::exception_ptr body_error;  // the current message's body was malformed
  std::string prefetched;         // decoded body bytes received ahead of the application's reads
  size_t prefetched_pos = 0;      // next byte of `prefetched` to hand out
};

RequestReader::RequestReader(const ParserOptions& options, util::ByteSource& source,
                             const PeerInfo& peer)
    : impl_(std::make_unique<Impl>(options, source, peer)) {}

RequestReader::~RequestReader() = default;

std::optional<RequestHead> RequestReader::read_head() {
  Impl& m = *impl_;
  if (m.have_message) {
    if (!m.keep_alive) return std::nullopt;
    std::array<char, 8192> scratch;
    while (m.read_body(scratch)) {
    }
    m.next_message();
  }
  ParseStep step = m.next_step(0);
  if (step.event != ParseEvent::kHead) return std::nullopt;
  m.consume(step.consumed);
  m.have_message = true;
  m.keep_alive = m.parser.head().framing.keep_alive;
  return std::move(m.parser.head());
}

size_t RequestReader::read_body(std::span<char> out) {
  return impl_->read_body(out);
}

bool RequestReader::body_complete() const {
  return impl_->body_complete();
}

const std::vector<HeaderField>& RequestReader::trailers() const {
  return impl_->parser.trailers();
}

bool RequestReader::drain_body(size_t limit) {
  Impl& m = *impl_;
  std::array<char, 8192> scratch;
  size_t drained = 0;
  while (drained < limit) {
    size_t want = std::min(scratch.size(), limit - drained);
    size_t n = m.read_body(std::span<char>(scratch.data(), want));
    if (n == 0) return true;
    drained += n;
  }
  if (m.body_complete()) return true;
  // The limit was reached; consume framing that is already buffered without reading more.
  ParseStep step = m.feed(0);
  m.consume(step.consumed);
  if (step.event == ParseEvent::kMessageComplete) m.complete = true;
  return m.body_complete();
}

size_t RequestReader::buffered_bytes() const {
  const Impl& m = *impl_;
  size_t buffered = m.end - m.begin;
  if (!m.have_message || m.body_complete()) return buffered;
  std::optional<uint64_t> remaining = m.parser.length_remaining();
  if (!remaining) return 0;  // inside a chunked body: its end is not known yet
  return buffered - static_cast<size_t>(std::min<uint64_t>(buffered, *remaining));
}

std::span<char> RequestReader::receive_space() {
  Impl& m = *impl_;
  if (m.end == m.buffer.size()) m.make_room();
  return {m.buffer.data() + m.end, m.buffer.size() - m.end};
}

void RequestReader::received(size_t n) {
  impl_->end += n;
}

void RequestReader::received_eof() {
  impl_->parser.on_eof(impl_->end - impl_->begin);
}

std::optional<RequestHead> RequestReader::parse_head() {
  Impl& m = *impl_;
  if (m.have_message) {
    // Never parse body bytes as a head: that would be request smuggling.
    if (!m.body_complete()) throw util::IoError("the previous request's body was not consumed");
    m.next_message();
  }
  ParseStep step = m.parser.feed(m.pending(), 0);
  if (step.event != ParseEvent::kHead) {
    m.consume(step.consumed);
    return std::nullopt;
  }
  m.consume(step.consumed);
  m.have_message = true;
  m.keep_alive = m.parser.head().framing.keep_alive;
  return std::move(m.parser.head());
}

bool RequestReader::prefetch_body(size_t cap) {
  Impl& m = *impl_;
  while (!m.body_complete()) {
    const size_t held = m.prefetched.size() - m.prefetched_pos;
    if (held >= cap) return true;
    ParseStep step = m.feed(cap - held);
    if (step.event == ParseEvent::kBody) m.prefetched.append(step.body);  // a view: copy first
    m.consume(step.consumed);
    if (step.event == ParseEvent::kBody) {
      continue;
    } else if (step.event == ParseEvent::kMessageComplete) {
      m.complete = true;
    } else {
      return false;
    }
  }
  return true;
}

size_t RequestReader::prefetched_bytes() const {
  return impl_->prefetched.size() - impl_->prefetched_pos;
}

bool RequestReader::has_unparsed_input() const {
  return impl_->end > impl_->begin;
}

}  // namespace gf::http

namespace gf::http {

bool RequestReader::body_too_large() const {
  if (!impl_->body_error) return false;
  try {
    std::rethrow_exception(impl_->body_error);
  } catch (const BodyTooLarge&) {
    return true;
  } catch (...) {
    return false;
  }
}

std::string RequestReader::take_unparsed() {
  Impl& m = *impl_;
  std::string out(m.pending());
  m.begin = m.end = 0;
  return out;
}

}  // namespace gf::http
