// A connected, blocking client socket seen as util::ByteSource / util::ByteSink: recv, writev
// and sendfile loops that retry on EINTR and turn failures (reset, timeout) into util::IoError.
#pragma once

#include "util/stream.hpp"

namespace gf::net {

// For a non-blocking socket: how long a read or write may wait for the peer (milliseconds; the
// stream then throws util::IoError), and what to call about once a second while it waits
// (a worker's heartbeat, so that a thread waiting on a slow client is not taken for stuck).
struct WaitPolicy {
  int read_timeout_ms = -1;  // -1: the socket is blocking (SO_RCVTIMEO applies instead)
  int write_timeout_ms = -1;
  void (*tick)(void* context) = nullptr;
  void* tick_context = nullptr;
};

class SocketStream : public util::ByteSource, public util::ByteSink {
 public:
  explicit SocketStream(int fd) : fd_(fd) {}  // does not own the fd
  SocketStream(int fd, const WaitPolicy& policy) : fd_(fd), policy_(policy) {}

  size_t read_some(std::span<char> out) override;
  void write_all(std::span<const iovec> buffers) override;
  void send_file(int file_fd, off_t offset, size_t count) override;

  // Half-close, then read and discard what the peer still sends (up to `limit` bytes or
  // `seconds`), so that closing does not reset a response the peer has not read yet.
  void graceful_close_drain(size_t limit, int seconds);

 private:
  // EAGAIN on a non-blocking socket: waits for `events` up to `timeout_ms`; false if the
  // socket is blocking (the EAGAIN was SO_RCVTIMEO/SO_SNDTIMEO expiring).
  bool wait_ready(short events, int timeout_ms) const;

  int fd_;
  WaitPolicy policy_;
};

// Per-operation timeouts (SO_RCVTIMEO / SO_SNDTIMEO) on a socket; 0 = block forever. Set on a
// listening socket, they are inherited by every connection it accepts.
void set_io_timeouts(int fd, int seconds);

}  // namespace gf::net
