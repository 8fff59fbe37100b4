#include "net/socket_stream.hpp"

#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "util/heartbeat_table.hpp"

namespace gf::net {
namespace {
[[noreturn]] void fail(const char* what) {
  int err = errno;
  if (err == EAGAIN || err == EWOULDBLOCK) throw util::IoError(std::string(what) + ": timed out");
  throw util::IoError(std::string(what) + ": " + std::strerror(err));
}
}  // namespace

bool SocketStream::wait_ready(short events, int timeout_ms) const {
  if (timeout_ms < 0) return false;
  const int64_t deadline = util::monotonic_ns() + int64_t{timeout_ms} * 1'000'000;
  for (;;) {
    const int64_t left_ms = (deadline - util::monotonic_ns()) / 1'000'000;
    if (left_ms <= 0)
      throw util::IoTimeout(events == POLLIN ? "recv: timed out" : "send: timed out");
    pollfd p{fd_, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left_ms, 1000)));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) fail("poll");
    if (policy_.tick != nullptr) policy_.tick(policy_.tick_context);
  }
}

size_t SocketStream::read_some(std::span<char> out) {
  for (;;) {
    ssize_t n = ::recv(fd_, out.data(), out.size(), 0);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN && wait_ready(POLLIN, policy_.read_timeout_ms)) continue;
    fail("recv");
  }
}

void SocketStream::write_all(std::span<const iovec> buffers) {
  // The caller's iovecs are never modified: after a partial write the rest is copied once and
  // advanced in place.
  std::vector<iovec> pending;
  iovec* iov = const_cast<iovec*>(buffers.data());
  size_t count = buffers.size();
  while (count > 0) {
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = count;
    ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN && wait_ready(POLLOUT, policy_.write_timeout_ms)) continue;
      fail("send");
    }
    size_t written = static_cast<size_t>(n);
    while (count > 0 && written >= iov->iov_len) {
      written -= iov->iov_len;
      ++iov;
      --count;
    }
    if (count > 0 && written > 0) {
      if (pending.empty()) {
        pending.assign(iov, iov + count);
        iov = pending.data();
      }
      iov->iov_base = static_cast<char*>(iov->iov_base) + written;
      iov->iov_len -= written;
    }
  }
}

void SocketStream::send_file(int file_fd, off_t offset, size_t count) {
  while (count > 0) {
    ssize_t n = ::sendfile(fd_, file_fd, &offset, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN && wait_ready(POLLOUT, policy_.write_timeout_ms)) continue;
      fail("sendfile");
    }
    if (n == 0) throw util::IoError("sendfile: file shorter than announced");
    count -= static_cast<size_t>(n);
  }
}

void set_io_timeouts(int fd, int seconds) {
  timeval tv{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

void SocketStream::graceful_close_drain(size_t limit, int seconds) {
  if (::shutdown(fd_, SHUT_WR) != 0) return;
  const int64_t deadline = util::monotonic_ns() + int64_t{seconds} * 1'000'000'000;
  char scratch[4096];
  size_t drained = 0;
  while (drained < limit) {
    int64_t left_ms = (deadline - util::monotonic_ns()) / 1'000'000;
    if (left_ms <= 0) return;
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left_ms));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return;
    ssize_t n = ::recv(fd_, scratch, sizeof scratch, MSG_DONTWAIT);
    if (n <= 0) return;  // peer closed (or error): nothing left to protect
    drained += static_cast<size_t>(n);
  }
}

}  // namespace gf::net
