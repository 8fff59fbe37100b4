#include "http/chunked_decoder.hpp"

#include <algorithm>
#include <string>

#include "http/char_classes.hpp"
#include "http/errors.hpp"
#include "http/header_block.hpp"
#include "util/python_repr.hpp"

namespace gf::http {

namespace {

[[noreturn]] void invalid_size(std::string_view text) {
  throw BodyError("InvalidChunkSize", "Invalid chunk size: " + util::python_repr_latin1(text));
}

[[noreturn]] void missing_terminator(std::string_view seen) {
  throw BodyError("ChunkMissingTerminator",
                  "Invalid chunk terminator is not '\\r\\n': " + util::python_repr_latin1(seen));
}

// Hex digits only; Gunicorn has no digit cap, we refuse sizes that do not fit 63 bits.
uint64_t parse_chunk_size(std::string_view size_text) {
  if (size_text.empty()) invalid_size(size_text);
  constexpr uint64_t kMax = (uint64_t{1} << 63) - 1;
  uint64_t size = 0;
  for (char c : size_text) {
    int digit = chars::hex_value(c);
    if (digit < 0) invalid_size(size_text);
    if (size > (kMax >> 4)) invalid_size(size_text);
    size = (size << 4) | static_cast<uint64_t>(digit);
  }
  return size;
}

}  // namespace

ChunkedDecoder::ChunkedDecoder(const ParserOptions& options, const ParseLimits& limits)
    : options_(options), limits_(limits) {}

void ChunkedDecoder::reset() {
  state_ = State::kSizeLine;
  chunk_remaining_ = 0;
  scanned_ = 0;
  trailers_.clear();
}

ChunkedDecoder::Step ChunkedDecoder::feed(std::string_view input, size_t max_data) {
  Step step;
  while (state_ != State::kDone) {
    std::string_view rest = input.substr(step.consumed);
    size_t used = 0;
    switch (state_) {
      case State::kSizeLine:
        if (!parse_size_line(rest, used)) return step;
        break;
      case State::kData: {
        size_t n = static_cast<size_t>(
            std::min<uint64_t>(chunk_remaining_, std::min(rest.size(), max_data)));
        if (n == 0) return step;
        chunk_remaining_ -= n;
        if (chunk_remaining_ == 0) state_ = State::kDataEnd;
        step.data = rest.substr(0, n);
        step.consumed += n;
        return step;
      }
      case State::kDataEnd:
        if (!parse_data_end(rest, used)) return step;
        break;
      case State::kTrailers:
        if (!parse_trailers(rest, used)) return step;
        break;
      case State::kDone:
        break;
    }
    step.consumed += used;
  }
  step.complete = true;
  return step;
}

bool ChunkedDecoder::parse_size_line(std::string_view input, size_t& used) {
  // Resume the search where the last feed stopped (less the CR that may begin the CRLF): a
  // client sending a byte at a time must not make each feed rescan the whole line.
  size_t end = input.find("\r\n", scanned_ > 0 ? scanned_ - 1 : 0);
  size_t line_limit = limits_.field_size;
  if (end == input.npos) {
    // A trailing CR may be the start of the CRLF the limit does not count.
    if (input.size() > line_limit + 1)
      invalid_size("line over " + std::to_string(line_limit) + " bytes with no terminator");
    scanned_ = input.size();
    return false;
  }
  scanned_ = 0;
  if (end > line_limit)
    invalid_size("line over " + std::to_string(line_limit) + " bytes with no terminator");
  std::string_view line = input.substr(0, end);
  std::string_view size_text = line;
  size_t semicolon = line.find(';');
  if (semicolon != line.npos) {
    if (line.find('\r', semicolon) != line.npos)
      throw BodyError("InvalidChunkExtension", "Invalid chunk extension: 'bare CR not allowed'");
    size_text = line.substr(0, semicolon);
    while (!size_text.empty() && chars::is_sp_or_htab(size_text.back())) size_text.remove_suffix(1);
  }
  chunk_remaining_ = parse_chunk_size(size_text);
  state_ = chunk_remaining_ == 0 ? State::kTrailers : State::kData;
  used = end + 2;
  return true;
}

bool ChunkedDecoder::parse_data_end(std::string_view input, size_t& used) {
  if (!input.empty() && input[0] != '\r') missing_terminator(input.substr(0, 2));
  if (input.size() < 2) return false;
  if (input[1] != '\n') missing_terminator(input.substr(0, 2));
  state_ = State::kSizeLine;
  used = 2;
  return true;
}

bool ChunkedDecoder::parse_trailers(std::string_view input, size_t& used) {
  if (input.size() < 2) return false;
  if (input.starts_with("\r\n")) {
    state_ = State::kDone;
    used = 2;
    return true;
  }
  size_t end = input.find("\r\n\r\n", scanned_ > 3 ? scanned_ - 3 : 0);  // resumed, as above
  // Incomplete, up to 3 trailing bytes may be the start of the terminator the limit does not
  // count: the outcome must not depend on how the bytes arrived.
  if (end == input.npos ? input.size() > limits_.max_buffer_headers + 3
                        : end > limits_.max_buffer_headers)
    throw BodyError("LimitRequestHeaders", "limit request trailer section size");
  if (end == input.npos) {
    scanned_ = input.size();
    return false;
  }
  scanned_ = 0;
  HeaderBlockRules rules{options_, limits_, /*trusted_forwarder=*/false, /*trailer=*/true};
  HeaderBlockFacts facts;
  try {
    parse_header_block(input.substr(0, end), rules, 1, 1, trailers_, facts);
  } catch (const RequestError& e) {
    // Headers were already handed to the app: a bad trailer breaks the body, not the request.
    throw BodyError(e.kind(), e.what());
  }
  state_ = State::kDone;
  used = end + 4;
  return true;
}

void ChunkedDecoder::throw_truncated() const {
  if (state_ == State::kDataEnd || state_ == State::kTrailers) missing_terminator("");
  throw BodyError("NoMoreData", "client disconnected before the chunked body was complete");
}

}  // namespace gf::http
