// PROXY protocol v1 (text) and v2 (binary) headers that a load balancer puts in front of the
// first request of a connection. A pure function over bytes, so it can be fuzzed on its own.
#pragma once

#include <cstddef>
#include <string_view>

#include "http/errors.hpp"
#include "http/parser_options.hpp"
#include "http/request.hpp"

namespace gf::http {

// The v2 signature: "\r\n\r\n\0\r\nQUIT\n".
inline constexpr std::string_view kProxyV2Signature{"\r\n\r\n\0\r\nQUIT\n", 12};
// A v1 line is at most 107 bytes with its CRLF (the spec's maximum). Gunicorn's WSGI path has no
// cap; we reject longer lines as InvalidProxyLine rather than buffer without end.
inline constexpr size_t kProxyV1MaxLine = 107;

struct ProxyHeaderResult {
  enum class Status { kNeedMore, kNotProxy, kParsed };
  Status status = Status::kNeedMore;
  size_t consumed = 0;  // bytes of the PROXY header (kParsed only)
  ProxyInfo info;
};

// Looks at the first bytes of a connection. Throws RequestError:
//   ForbiddenProxyRequest (403) when a header is present but the peer may not send one,
//   InvalidProxyLine (400) for a bad v1 line, InvalidProxyHeader (500, Gunicorn's quirk) for v2.
// Anything that is not a PROXY header (for the enabled versions) is kNotProxy.
ProxyHeaderResult parse_proxy_header(std::string_view data, ProxyProtocol mode,
                                     const PeerInfo& peer);

}  // namespace gf::http
