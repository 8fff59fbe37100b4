#include "net/acceptor.hpp"

#include <cerrno>
#include <cstring>

#include "log/error_log.hpp"

namespace gf::net {

Accepted accept_client(const Listener& listener, bool nonblocking) {
  Accepted out;
  for (;;) {
    out.addr_len = sizeof out.addr;
    out.fd = ::accept4(listener.fd(), reinterpret_cast<sockaddr*>(&out.addr), &out.addr_len,
                       SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0));
    if (out.fd >= 0) {
      out.status = Accepted::kClient;
      return out;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
      log::ErrorLog::get().error("accept() failed: {}", std::strerror(errno));
      out.status = Accepted::kExhausted;
    }
    return out;
  }
}

}  // namespace gf::net
