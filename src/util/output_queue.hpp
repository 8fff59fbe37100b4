// Bytes waiting to go out on one connection, in order: copied pieces, pieces of a buffer some
// owner keeps alive (a large application chunk, never copied), and ranges of files to sendfile().
// I/O-free: a flusher gathers the front, writes it, and reports how much went out.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/unique_fd.hpp"

namespace gf::util {

class OutputQueue {
 public:
  // Copies `parts` to the back.
  void append(std::span<const iovec> parts);
  void append(std::string_view bytes) {
    iovec part{const_cast<char*>(bytes.data()), bytes.size()};
    append({&part, 1});
  }
  // Queues `bytes` without copying them: `owner` keeps them valid until they are sent or the
  // queue is cleared, and is released then (on whichever thread does that).
  void append_borrowed(std::string_view bytes, std::shared_ptr<const void> owner);
  // Queues `count` bytes of `file` from `offset`; the queue owns the descriptor (a duplicate, so
  // the application may close its file meanwhile).
  void append_file(UniqueFd file, off_t offset, size_t count);

  bool empty() const { return head_ == segments_.size(); }
  // Bytes still to send, file ranges included.
  size_t size() const { return size_; }
  // Bytes still to send from memory, copied or borrowed: what back-pressure bounds. File ranges
  // are left out, they cost no memory.
  size_t memory_bytes() const { return memory_; }

  // The front as iovecs: up to out.size() consecutive memory pieces. Empty when the queue is
  // empty or its front is a file range (see front_file).
  std::span<iovec> gather(std::span<iovec> out) const;
  struct FileRange {
    int fd;
    off_t offset;
    size_t count;
  };
  // The front when it is a file range.
  std::optional<FileRange> front_file() const;
  // The first `n` bytes went out.
  void consume(size_t n);
  void clear();

 private:
  struct Segment {
    std::string copy;  // owned bytes; `pos` of them already sent
    size_t pos = 0;
    std::string_view borrowed;          // the unsent part of borrowed bytes
    std::shared_ptr<const void> owner;  // keeps `borrowed` alive
    UniqueFd file;                      // a file range when valid: `count` bytes from `offset`
    off_t offset = 0;
    size_t count = 0;

    bool is_file() const { return file.valid(); }
    std::string_view memory() const {
      return owner ? borrowed : std::string_view(copy).substr(pos);
    }
    size_t length() const { return is_file() ? count : memory().size(); }
  };

  // Small pieces (heads, chunk framing, small chunks) are packed into shared blocks of this
  // size, so a response of many small writes costs few segments and few iovecs.
  static constexpr size_t kBlockBytes = 16 * 1024;

  Segment* tail() { return empty() ? nullptr : &segments_.back(); }
  void pop_front();

  // A vector read from `head_` rather than a deque: an idle connection's empty queue then holds
  // no memory at all (libstdc++'s deque allocates a map and a 512-byte node up front, for every
  // connection).
  std::vector<Segment> segments_;
  size_t head_ = 0;
  size_t size_ = 0;
  size_t memory_ = 0;
};

}  // namespace gf::util
