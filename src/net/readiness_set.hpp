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

  // Watches `socket` for input (including its end and errors) from now on, and also for room to
  // write when `writable`. What it is ready for already is reported as an event too. Throws
  // std::system_error (e.g. ENOMEM). A socket leaves the set when the last descriptor of its
  // open file is closed; until then its events keep coming under its token, so tokens must stay
  // recognisable as stale.
  void add(int socket, uint64_t token, bool writable = false);
  // Starts or stops watching an added socket for room to write (a connection whose output
  // could not all be sent). Throws std::system_error.
  void watch_writable(int socket, uint64_t token, bool writable);

  struct Event {
    uint64_t token;
    bool readable;  // bytes, the end of input, or an error
    bool writable;  // room to write, or an error
  };
  // The sockets that became ready since they were last reported, at most events.size(); never
  // blocks. Each change is one event (edge-triggered): a socket not read to EAGAIN is reported
  // again only when more bytes come, one not written to EAGAIN only when room frees up again.
  std::span<const Event> take_ready(std::span<Event> events);

 private:
  util::UniqueFd epoll_;
};

}  // namespace gf::net
