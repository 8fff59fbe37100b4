// A socket address as the text WSGI wants (REMOTE_ADDR / REMOTE_PORT, SERVER_NAME), formatted
// with inet_ntop into fixed buffers: it runs once per connection, so no allocation.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace gf::net {

class PeerAddress {
 public:
  PeerAddress() = default;
  // AF_INET / AF_INET6: numeric ip and port ("::ffff:1.2.3.4" stays as the kernel reports it,
  // like Gunicorn). AF_UNIX: the socket path when the address has one (a listener's own
  // address), "" for the unnamed peers accept() returns; port text "".
  PeerAddress(const sockaddr* addr, socklen_t len) {
    switch (addr->sa_family) {
      case AF_INET: {
        const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
        ::inet_ntop(AF_INET, &in->sin_addr, text_, sizeof text_);
        set_port(ntohs(in->sin_port));
        break;
      }
      case AF_INET6: {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
        ::inet_ntop(AF_INET6, &in6->sin6_addr, text_, sizeof text_);
        set_port(ntohs(in6->sin6_port));
        break;
      }
      case AF_UNIX: {
        const auto* un = reinterpret_cast<const sockaddr_un*>(addr);
        size_t max =
            len > offsetof(sockaddr_un, sun_path) ? len - offsetof(sockaddr_un, sun_path) : 0;
        size_t n = ::strnlen(un->sun_path, std::min(max, sizeof un->sun_path));
        std::memcpy(text_, un->sun_path, n);
        text_[n] = '\0';
        break;
      }
      default:
        break;
    }
    family_ = addr->sa_family;
  }
  explicit PeerAddress(const sockaddr_storage& ss, socklen_t len = sizeof(sockaddr_storage))
      : PeerAddress(reinterpret_cast<const sockaddr*>(&ss), len) {}

  int family() const { return family_; }
  // Numeric ip, or for AF_UNIX the path. Views into this object.
  std::string_view ip() const { return text_; }
  uint16_t port() const { return port_; }
  std::string_view port_text() const { return {port_text_, port_text_len_}; }

 private:
  void set_port(uint16_t port) {
    port_ = port;
    auto res = std::to_chars(port_text_, port_text_ + sizeof port_text_, port);
    port_text_len_ = static_cast<size_t>(res.ptr - port_text_);
  }

  int family_ = AF_UNSPEC;
  char text_[sizeof(sockaddr_un::sun_path) + 1] = {};  // fits INET6_ADDRSTRLEN too
  uint16_t port_ = 0;
  char port_text_[8] = {};
  size_t port_text_len_ = 0;
};

// Owning (ip, port) for code that keeps the peer past the sockaddr (http::PeerInfo):
// `auto [ip, port] = peer_address(addr);`.
struct IpPort {
  std::string ip;
  int port = 0;
};

inline IpPort peer_address(const sockaddr_storage& addr, socklen_t len = sizeof(sockaddr_storage)) {
  PeerAddress p(addr, len);
  return {std::string(p.ip()), p.port()};
}

}  // namespace gf::net
