// A connected, blocking client socket seen as util::ByteSource / util::ByteSink: recv, writev
// and sendfile loops that retry on EINTR and turn failures (reset, timeout) into util::IoError.
#pragma once

#include "util/stream.hpp"

namespace gf::net {

class SocketStream : public util::ByteSource, public util::ByteSink {
 public:
  explicit SocketStream(int fd) : fd_(fd) {}  // does not own the fd

  size_t read_some(std::span<char> out) override;
  void write_all(std::span<const iovec> buffers) override;
  void send_file(int file_fd, off_t offset, size_t count) override;

  // Half-close, then read and discard what the peer still sends (up to `limit` bytes or
  // `seconds`), so that closing does not reset a response the peer has not read yet.
  void graceful_close_drain(size_t limit, int seconds);

 private:
  int fd_;
};

// Per-operation timeouts (SO_RCVTIMEO / SO_SNDTIMEO) on a socket; 0 = block forever. Set on a
// listening socket, they are inherited by every connection it accepts.
void set_io_timeouts(int fd, int seconds);

}  // namespace gf::net
