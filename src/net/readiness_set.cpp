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

void ReadinessSet::add(int socket, uint64_t token) {
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP | EPOLLET;  // ERR and HUP are always reported
  event.data.u64 = token;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, socket, &event) != 0)
    throw std::system_error(errno, std::generic_category(), "epoll_ctl");
}

std::span<const uint64_t> ReadinessSet::take_ready(std::span<uint64_t> tokens) {
  constexpr size_t kBatch = 128;
  std::array<epoll_event, kBatch> events;
  const int max = static_cast<int>(std::min(tokens.size(), kBatch));
  int n;
  do {
    n = ::epoll_wait(epoll_.get(), events.data(), max, 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return {};
  for (int i = 0; i < n; ++i)
    tokens[static_cast<size_t>(i)] = events[static_cast<size_t>(i)].data.u64;
  return tokens.first(static_cast<size_t>(n));
}

}  // namespace gf::net
