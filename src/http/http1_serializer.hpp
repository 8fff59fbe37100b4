// HTTP/1 response bytes: the head Gunicorn writes (status line mirroring the request version,
// Server/Date/Connection first, then the application's headers) and chunked coding's framing.
// I/O-free: it formats, the caller decides where the bytes go.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "http/response_policy.hpp"

namespace gf::http::http1 {

// The response head, up to and including the empty line.
std::string response_head(const ResponseHead& head, int version_major, int version_minor,
                          std::string_view date);

// "1a\r\n" for a chunk of `size` bytes, written into `buffer`; returns the part used.
std::string_view chunk_size_line(size_t size, std::span<char, 24> buffer);

inline constexpr std::string_view kCrlf = "\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";
// The interim response for "Expect: 100-continue".
inline constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace gf::http::http1
