#include "net/blocking_stream.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "util/heartbeat_table.hpp"

namespace gf::net {

void throw_io_error(const char* what, int error) {
  if (error == EAGAIN || error == EWOULDBLOCK)
    throw util::IoError(std::string(what) + ": timed out");
  throw util::IoError(std::string(what) + ": " + std::strerror(error));
}

bool WaitPolicy::wait(Transport& transport, Readiness what, int timeout_ms) const {
  if (timeout_ms < 0) return false;
  const int64_t deadline = util::monotonic_ns() + int64_t{timeout_ms} * 1'000'000;
  for (;;) {
    const int64_t left_ms = (deadline - util::monotonic_ns()) / 1'000'000;
    if (left_ms <= 0)
      throw util::IoTimeout(what == Readiness::kReadable ? "recv: timed out" : "send: timed out");
    if (transport.wait(what, static_cast<int>(std::min<int64_t>(left_ms, 1000)))) return true;
    if (tick != nullptr) tick(tick_context);
  }
}

size_t BlockingStream::read_some(std::span<char> out) {
  for (;;) {
    const IoResult r = transport_.read(out);
    switch (r.status) {
      case IoResult::kDone:
        return r.bytes;
      case IoResult::kClosed:
        return 0;
      case IoResult::kWouldBlock:
        if (policy_.wait(transport_, Readiness::kReadable, policy_.read_timeout_ms)) continue;
        [[fallthrough]];
      case IoResult::kFailed:
        throw_io_error("recv", r.error);
    }
  }
}

void BlockingStream::write_all(std::span<const iovec> buffers, const util::SharedBytes*) {
  // The caller's iovecs are never modified: after a partial write the rest is copied once and
  // advanced in place.
  std::vector<iovec> pending;
  iovec* iov = const_cast<iovec*>(buffers.data());
  size_t count = buffers.size();
  while (count > 0) {
    const IoResult r = transport_.write({iov, count});
    if (r.status != IoResult::kDone) {
      if (r.status == IoResult::kWouldBlock &&
          policy_.wait(transport_, Readiness::kWritable, policy_.write_timeout_ms))
        continue;
      throw_io_error("send", r.error);
    }
    size_t written = r.bytes;
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

void BlockingStream::send_file(int file_fd, off_t offset, size_t count) {
  while (count > 0) {
    const IoResult r = transport_.send_file(file_fd, offset, count);
    if (r.status != IoResult::kDone) {
      if (r.status == IoResult::kWouldBlock &&
          policy_.wait(transport_, Readiness::kWritable, policy_.write_timeout_ms))
        continue;
      if (r.error == ENODATA) throw util::IoError("sendfile: file shorter than announced");
      throw_io_error("sendfile", r.error);
    }
    offset += static_cast<off_t>(r.bytes);
    count -= r.bytes;
  }
}

void set_io_timeouts(int fd, int seconds) {
  timeval tv{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

void BlockingStream::graceful_close_drain(size_t limit, int seconds) {
  if (!transport_.shutdown_write()) return;
  const int64_t deadline = util::monotonic_ns() + int64_t{seconds} * 1'000'000'000;
  char scratch[4096];
  size_t drained = 0;
  while (drained < limit) {
    const int64_t left_ms = (deadline - util::monotonic_ns()) / 1'000'000;
    if (left_ms <= 0 || !transport_.wait(Readiness::kReadable, static_cast<int>(left_ms))) return;
    const IoResult r = transport_.read(scratch);
    if (r.status == IoResult::kWouldBlock) continue;  // a blocking socket's SO_RCVTIMEO
    if (r.status != IoResult::kDone) return;  // peer closed (or error): nothing left to protect
    drained += r.bytes;
  }
}

}  // namespace gf::net
