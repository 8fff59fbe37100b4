// A connection's transport seen as a blocking util::ByteSource / util::ByteSink, for code that
// may wait on the client: the sync worker, and an application thread reading a request body.
// Waits are bounded by timeouts; failures (reset, timeout) become util::IoError.
#pragma once

#include "net/transport.hpp"
#include "util/stream.hpp"

namespace gf::net {

// How long a read or write may wait for the peer (milliseconds; the stream then throws
// util::IoTimeout), and what to call about once a second while it waits (a worker's heartbeat,
// so that a thread waiting on a slow client is not taken for stuck). -1: the socket itself is
// blocking and its SO_RCVTIMEO/SO_SNDTIMEO bound the wait.
struct WaitPolicy {
  int read_timeout_ms = -1;
  int write_timeout_ms = -1;
  void (*tick)(void* context) = nullptr;
  void* tick_context = nullptr;

  // Waits until `transport` may be ready for `what`, at most `timeout_ms` (throws IoTimeout
  // after that), beating `tick` meanwhile. False for a blocking socket (timeout_ms < 0).
  bool wait(Transport& transport, Readiness what, int timeout_ms) const;
};

class BlockingStream : public util::ByteSource, public util::ByteSink {
 public:
  explicit BlockingStream(Transport& transport) : transport_(transport) {}  // not owned
  BlockingStream(Transport& transport, const WaitPolicy& policy)
      : transport_(transport), policy_(policy) {}

  size_t read_some(std::span<char> out) override;
  using util::ByteSink::write_all;
  void write_all(std::span<const iovec> buffers, const util::SharedBytes* shared) override;
  void send_file(int file_fd, off_t offset, size_t count) override;

  // Half-close, then read and discard what the peer still sends (up to `limit` bytes or
  // `seconds`), so that closing does not reset a response the peer has not read yet.
  void graceful_close_drain(size_t limit, int seconds);

 private:
  Transport& transport_;
  WaitPolicy policy_;
};

// Per-operation timeouts (SO_RCVTIMEO / SO_SNDTIMEO) on a socket; 0 = block forever. Set on a
// listening socket, they are inherited by every connection it accepts.
void set_io_timeouts(int fd, int seconds);

// The IoError for a failed read or write ("send: Broken pipe", "recv: timed out").
[[noreturn]] void throw_io_error(const char* what, int error);

}  // namespace gf::net
