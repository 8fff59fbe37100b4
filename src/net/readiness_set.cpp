#include "net/readiness_set.hpp"

#include <sys/epoll.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <system_error>

namespace gf::net {

ReadinessSet::ReadinessSet() : epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (!epoll_) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

namespace {
// Writability is watched only while output is waiting: a socket with room to write would
// otherwise be reported after every read.
void control(int epoll, int op, int socket, uint64_t token, bool writable) {
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP | EPOLLET | (writable ? EPOLLOUT : 0u);  // + ERR, HUP
  event.data.u64 = token;
  if (::epoll_ctl(epoll, op, socket, &event) != 0)
    throw std::system_error(errno, std::generic_category(), "epoll_ctl");
}
}  // namespace

void ReadinessSet::add(int socket, uint64_t token, bool writable) {
  control(epoll_.get(), EPOLL_CTL_ADD, socket, token, writable);
}

void ReadinessSet::watch_writable(int socket, uint64_t token, bool writable) {
  control(epoll_.get(), EPOLL_CTL_MOD, socket, token, writable);
}

std::span<const ReadinessSet::Event> ReadinessSet::take_ready(std::span<Event> out) {
  constexpr size_t kBatch = 128;
  std::array<epoll_event, kBatch> events;
  const int max = static_cast<int>(std::min(out.size(), kBatch));
  int n;
  do {
    n = ::epoll_wait(epoll_.get(), events.data(), max, 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return {};
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
    const uint32_t got = events[i].events;
    out[i] = Event{events[i].data.u64, (got & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0,
                   (got & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0};
  }
  return out.first(static_cast<size_t>(n));
}

}  // namespace gf::net
