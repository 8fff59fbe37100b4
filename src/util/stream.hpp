// Byte-stream interfaces between layers: http/ reads requests from a ByteSource and writes
// responses to a ByteSink without knowing whether a blocking socket or an event loop is behind.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
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

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Writes every byte of every buffer or throws IoError.
  virtual void write_all(std::span<const iovec> buffers) = 0;
  // The same for one contiguous piece (an interim response, an error page).
  void write_bytes(std::string_view bytes) {
    iovec iov{const_cast<char*>(bytes.data()), bytes.size()};
    write_all({&iov, 1});
  }
  // Sends `count` bytes of `file_fd` starting at `offset` (sendfile where possible).
  virtual void send_file(int file_fd, off_t offset, size_t count) = 0;
};

}  // namespace gf::util
