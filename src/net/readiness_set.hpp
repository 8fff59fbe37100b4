// An edge-triggered epoll set of client sockets, each known by a caller-chosen 64-bit token.
//
// The gthread worker keeps its keep-alive connections here rather than in Asio's reactor: Asio
// spends one syscall per wait (a speculative recv, or an epoll_ctl re-arm for async_wait), while
// a socket in this set is registered once and then costs nothing until its next bytes arrive.
// The set's own descriptor is pollable, so the worker's Asio loop waits on it as one source.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "util/unique_fd.hpp"

namespace gf::net {

class ReadinessSet {
 public:
  ReadinessSet();  // throws std::system_error

  // Readable whenever some socket in the set has had an event not yet taken by ready().
  int fd() const { return epoll_.get(); }

  // Watches `socket` for input (including its end and errors) from now on. If it is readable
  // already, that is reported as an event too. Throws std::system_error (e.g. ENOMEM).
  // A socket leaves the set when the last descriptor of its open file is closed; until then its
  // events keep coming under its token, so tokens must stay recognisable as stale.
  void add(int socket, uint64_t token);

  // The tokens of sockets that had input since they were last reported, at most tokens.size();
  // never blocks. Each arrival of bytes is one event (edge-triggered): a socket not read to
  // EAGAIN is reported again only when more bytes come.
  std::span<const uint64_t> take_ready(std::span<uint64_t> tokens);

 private:
  util::UniqueFd epoll_;
};

}  // namespace gf::net
