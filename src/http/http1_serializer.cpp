#include "http/http1_serializer.hpp"

#include <fmt/format.h>

namespace gf::http::http1 {

std::string response_head(const ResponseHead& head, int version_major, int version_minor,
                          std::string_view date) {
  const std::string_view connection = head.upgrade      ? "upgrade"
                                      : head.must_close ? "close"
                                                        : "keep-alive";
  std::string out;
  out.reserve(128 + head.headers.size() * 48);
  // Plain appends, not a format string: this runs once per response.
  const char version[] = {'H', 'T',
                          'T', 'P',
                          '/', static_cast<char>('0' + version_major % 10),
                          '.', static_cast<char>('0' + version_minor % 10),
                          ' '};
  out.append(version, sizeof version);
  out += head.status;
  out += "\r\nServer: greenfork\r\nDate: ";
  out += date;
  out += "\r\nConnection: ";
  out += connection;
  out += "\r\n";
  if (head.framing == BodyFraming::kChunked) out += "Transfer-Encoding: chunked\r\n";
  for (const auto& h : head.headers) {
    out += h.name;
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

std::string_view chunk_size_line(size_t size, std::span<char, 24> buffer) {
  const auto end = fmt::format_to(buffer.data(), "{:x}\r\n", size);
  return {buffer.data(), static_cast<size_t>(end - buffer.data())};
}

}  // namespace gf::http::http1
