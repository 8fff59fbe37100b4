// Taking one client off a listener, as every worker type does it: the peer's address, and what
// to do when the process is out of descriptors (log it and back off for a moment, rather than spin
// on a listener that stays readable).
#pragma once

#include <sys/socket.h>

#include <chrono>

#include "net/listener.hpp"

namespace gf::net {

struct Accepted {
  enum Status {
    kClient,     // `fd` is a new connection
    kNone,       // nothing pending (or a client that gave up before it was taken)
    kExhausted,  // out of descriptors or memory: logged; wait kAcceptBackoff, then try again
  };
  Status status = kNone;
  int fd = -1;  // owned by the caller when kClient
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
};

// How long to wait before accepting again after kExhausted.
inline constexpr std::chrono::milliseconds kAcceptBackoff{100};

// One accept4() on `listener`, with CLOEXEC, and NONBLOCK when asked.
Accepted accept_client(const Listener& listener, bool nonblocking);

}  // namespace gf::net
