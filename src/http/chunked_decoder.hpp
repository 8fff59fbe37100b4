// Push decoder for a chunked request body (RFC 9112 7.1) with Gunicorn's rules: hex-only sizes,
// BWS only before an extension, no bare CR in extensions, CRLF after data, checked trailers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "http/parse_limits.hpp"
#include "http/parser_options.hpp"
#include "http/request.hpp"

namespace gf::http {

class ChunkedDecoder {
 public:
  ChunkedDecoder(const ParserOptions& options, const ParseLimits& limits);

  struct Step {
    size_t consumed = 0;    // bytes of the input used (framing and data)
    std::string_view data;  // decoded bytes, a view into the input; empty if none yet
    bool complete = false;  // last chunk and trailer section consumed
  };

  // Consumes whole framing units (size line, CRLF, trailer section) and up to `max_data` data
  // bytes. A unit that is only partly in `input` is left unconsumed: feed it again with more.
  // Throws BodyError (InvalidChunkSize, InvalidChunkExtension, ChunkMissingTerminator, and the
  // header errors of a bad trailer section).
  Step feed(std::string_view input, size_t max_data);

  // The peer closed the connection: throws the error for a body cut at this point.
  [[noreturn]] void throw_truncated() const;

  void reset();
  bool complete() const { return state_ == State::kDone; }
  const std::vector<HeaderField>& trailers() const { return trailers_; }
  std::vector<HeaderField>& trailers() { return trailers_; }

 private:
  enum class State { kSizeLine, kData, kDataEnd, kTrailers, kDone };

  // Each returns false when the unit is incomplete in `input`.
  bool parse_size_line(std::string_view input, size_t& used);
  bool parse_data_end(std::string_view input, size_t& used);
  bool parse_trailers(std::string_view input, size_t& used);

  const ParserOptions& options_;
  const ParseLimits& limits_;
  State state_ = State::kSizeLine;
  uint64_t chunk_remaining_ = 0;
  size_t scanned_ = 0;  // bytes of the incomplete unit (size line, trailers) already searched
  std::vector<HeaderField> trailers_;
};

}  // namespace gf::http
