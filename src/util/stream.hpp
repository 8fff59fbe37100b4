// Byte-stream interfaces between layers: http/ reads requests from a ByteSource and writes
// responses to a ByteSink without knowing whether a blocking socket or an event loop is behind.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gf::util {

// A socket-level failure (reset, timeout, write to a closed peer). Not an HTTP error:
// the connection is simply dropped.
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The peer made no progress for longer than allowed (a stalled upload or a client that stopped
// reading): the connection is aborted rather than closed politely.
class IoTimeout : public IoError {
 public:
  using IoError::IoError;
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads at least one byte; returns 0 at end of stream. Throws IoError on failure.
  virtual size_t read_some(std::span<char> out) = 0;
};

// Bytes that some owner keeps alive (an application's body chunk): a sink that queues output
// may hold a reference to the parts of a write that lie inside `bytes` instead of copying them.
struct SharedBytes {
  std::string_view bytes;
  std::shared_ptr<const void> owner;

  bool contains(const iovec& part) const {
    const char* p = static_cast<const char*>(part.iov_base);
    return p >= bytes.data() && p + part.iov_len <= bytes.data() + bytes.size();
  }
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Writes (or, for a sink that queues, takes) every byte of every buffer, or throws IoError.
  virtual void write_all(std::span<const iovec> buffers, const SharedBytes* shared) = 0;
  void write_all(std::span<const iovec> buffers) { write_all(buffers, nullptr); }
  // The same for one contiguous piece (an interim response, an error page).
  void write_bytes(std::string_view bytes) {
    iovec iov{const_cast<char*>(bytes.data()), bytes.size()};
    write_all({&iov, 1}, nullptr);
  }
  // Sends `count` bytes of `file_fd` starting at `offset` (sendfile where possible).
  virtual void send_file(int file_fd, off_t offset, size_t count) = 0;

  // Back-pressure. A sink that queues what the peer does not take yet is congested above its
  // high-water mark: the producer should stop producing until it is not. A blocking sink never is.
  virtual bool congested() const { return false; }
  // Blocks the calling thread until the sink is no longer congested (a producer that cannot
  // pause, such as the WSGI write() callable). Throws IoError / IoTimeout.
  virtual void wait_uncongested() {}
};

}  // namespace gf::util
