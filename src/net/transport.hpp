// A connection's byte stream, whatever carries it (plain TCP or UNIX now, TLS later): the engine
// and the blocking streams read and write through this and never touch the socket themselves.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <span>

namespace gf::net {

// What one read or write did. kWouldBlock: nothing can move now (wait for readiness);
// kClosed: the peer ended its side (reads only); kFailed: the connection is broken (`error`).
struct IoResult {
  enum Status { kDone, kWouldBlock, kClosed, kFailed };
  Status status = kDone;
  size_t bytes = 0;  // moved, when kDone (never 0 for kDone)
  int error = 0;     // errno, when kFailed

  static IoResult done(size_t n) { return {kDone, n, 0}; }
};

enum class Readiness { kReadable, kWritable };

class Transport {
 public:
  virtual ~Transport() = default;

  // The descriptor readiness is watched on (-1 for a transport with none, as in tests).
  virtual int fd() const = 0;
  virtual IoResult read(std::span<char> out) = 0;
  virtual IoResult write(std::span<const iovec> parts) = 0;
  // `count` bytes of `file` from `offset` (sendfile for a plain socket).
  virtual IoResult send_file(int file, off_t offset, size_t count) = 0;
  // Ends our sending side (the peer sees EOF) but keeps reading; false if that failed.
  virtual bool shutdown_write() = 0;
  // Closing will reset the connection (RST) instead of ending it politely: for clients that
  // stalled past a timeout, so no queued byte is left to trickle out of an orphaned socket.
  virtual void reset_on_close() = 0;
  // Ends the connection now (what was written and not yet sent still goes out, unless
  // reset_on_close() was called). The object stays, inert: reads and writes fail.
  virtual void close() = 0;
  // Blocks the calling thread until the transport may be ready for `what` or `timeout_ms`
  // passes (false then). For application threads only; the engine never blocks.
  virtual bool wait(Readiness what, int timeout_ms) = 0;
};

}  // namespace gf::net
