#include "net/plain_transport.hpp"

#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <cerrno>

namespace gf::net {
namespace {

// EAGAIN is also what a blocking socket's SO_RCVTIMEO/SO_SNDTIMEO expiry looks like: the
// blocking streams tell the two apart by how they set the socket up.
IoResult failed(int error) {
  if (error == EAGAIN || error == EWOULDBLOCK) return {IoResult::kWouldBlock, 0, error};
  return {IoResult::kFailed, 0, error};
}

}  // namespace

IoResult PlainTransport::read(std::span<char> out) {
  for (;;) {
    const ssize_t n = ::recv(socket_.get(), out.data(), out.size(), 0);
    if (n > 0) return IoResult::done(static_cast<size_t>(n));
    if (n == 0) return {IoResult::kClosed, 0, 0};
    if (errno != EINTR) return failed(errno);
  }
}

IoResult PlainTransport::write(std::span<const iovec> parts) {
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(parts.data());
  msg.msg_iovlen = parts.size();
  for (;;) {
    const ssize_t n = ::sendmsg(socket_.get(), &msg, MSG_NOSIGNAL);
    if (n >= 0) return IoResult::done(static_cast<size_t>(n));
    if (errno != EINTR) return failed(errno);
  }
}

IoResult PlainTransport::send_file(int file, off_t offset, size_t count) {
  for (;;) {
    const ssize_t n = ::sendfile(socket_.get(), file, &offset, count);
    if (n > 0) return IoResult::done(static_cast<size_t>(n));
    // The file ended before `count`: it shrank since its length was taken.
    if (n == 0) return {IoResult::kFailed, 0, ENODATA};
    if (errno != EINTR) return failed(errno);
  }
}

bool PlainTransport::shutdown_write() {
  return ::shutdown(socket_.get(), SHUT_WR) == 0;
}

void PlainTransport::reset_on_close() {
  const struct linger reset { 1, 0 };
  ::setsockopt(socket_.get(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
}

bool PlainTransport::wait(Readiness what, int timeout_ms) {
  pollfd p{socket_.get(), static_cast<short>(what == Readiness::kReadable ? POLLIN : POLLOUT), 0};
  for (;;) {
    const int r = ::poll(&p, 1, timeout_ms);
    if (r >= 0) return r > 0;
    if (errno != EINTR) return true;  // let the next read or write report the problem
  }
}

}  // namespace gf::net
