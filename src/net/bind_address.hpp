// One --bind value, parsed exactly as Gunicorn's util.parse_address reads it: TCP host/port,
// UNIX socket path, or an inherited fd. Binding it is Listener's job; this is only the text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gf::net {

struct BindAddress {
  enum class Kind { kTcp, kUnix, kFd };

  static constexpr uint16_t kDefaultPort = 8000;

  // Accepted forms (Gunicorn semantics, default port 8000):
  //   HOST, HOST:PORT, :PORT (all interfaces), "" (0.0.0.0:8000), [V6], [V6]:PORT,
  //   tcp://<any of the above>, unix:PATH, unix://PATH, fd://N.
  // The host is lowercased and may be a name (resolved when bound). Throws
  // std::invalid_argument with a one-line message for anything else, including what Gunicorn
  // silently truncates ("h:1:2") or defers to bind() (ports above 65535).
  static BindAddress parse(std::string_view text);

  // For logs: "http://127.0.0.1:8000", "http://[::1]:8000", "unix:/run/app.sock", "fd://3".
  // The configured text; Listener::url() reports what was actually bound (port 0 resolved).
  std::string url() const;

  // Gunicorn's str(addr) in bind errors: "('127.0.0.1', 8000)", "/run/app.sock", "3".
  std::string describe() const;

  // True when host is an IPv6 literal (Gunicorn's util.is_ipv6), i.e. bound as AF_INET6.
  bool is_ipv6() const;

  Kind kind = Kind::kTcp;
  std::string host;  // kTcp: lowercased, brackets removed, never empty ("" -> "0.0.0.0")
  uint16_t port = kDefaultPort;
  std::string path;  // kUnix
  int fd = -1;       // kFd
};

bool operator==(const BindAddress& a, const BindAddress& b);

}  // namespace gf::net
