#include "util/output_queue.hpp"

#include <algorithm>

namespace gf::util {

void OutputQueue::append(std::span<const iovec> parts) {
  for (const iovec& part : parts) {
    const std::string_view bytes(static_cast<const char*>(part.iov_base), part.iov_len);
    if (bytes.empty()) continue;
    Segment* tail = this->tail();
    const bool fits = tail != nullptr && !tail->is_file() && !tail->owner &&
                      tail->copy.capacity() - tail->copy.size() >= bytes.size();
    if (!fits) {
      Segment& fresh = segments_.emplace_back();
      // A piece too large for a block gets a segment of its own, exactly its size.
      fresh.copy.reserve(std::max(bytes.size(), kBlockBytes));
      tail = &fresh;
    }
    tail->copy.append(bytes);
    size_ += bytes.size();
    memory_ += bytes.size();
  }
}

void OutputQueue::append_borrowed(std::string_view bytes, std::shared_ptr<const void> owner) {
  if (bytes.empty()) return;
  Segment& segment = segments_.emplace_back();
  segment.borrowed = bytes;
  segment.owner = std::move(owner);
  size_ += bytes.size();
  memory_ += bytes.size();
}

void OutputQueue::append_file(UniqueFd file, off_t offset, size_t count) {
  if (count == 0) return;
  Segment& segment = segments_.emplace_back();
  segment.file = std::move(file);
  segment.offset = offset;
  segment.count = count;
  size_ += count;
}

std::span<iovec> OutputQueue::gather(std::span<iovec> out) const {
  size_t used = 0;
  for (size_t i = head_; i < segments_.size(); ++i) {
    const Segment& segment = segments_[i];
    if (used == out.size() || segment.is_file()) break;
    const std::string_view bytes = segment.memory();
    out[used++] = iovec{const_cast<char*>(bytes.data()), bytes.size()};
  }
  return out.first(used);
}

std::optional<OutputQueue::FileRange> OutputQueue::front_file() const {
  if (empty() || !segments_[head_].is_file()) return std::nullopt;
  const Segment& front = segments_[head_];
  return FileRange{front.file.get(), front.offset, front.count};
}

void OutputQueue::consume(size_t n) {
  size_ -= std::min(n, size_);
  while (n > 0 && !empty()) {
    Segment& front = segments_[head_];
    const size_t length = front.length();
    if (!front.is_file()) memory_ -= std::min(n, length);
    if (n < length) {
      if (front.is_file()) {
        front.offset += static_cast<off_t>(n);
        front.count -= n;
      } else if (front.owner) {
        front.borrowed.remove_prefix(n);
      } else {
        front.pos += n;
      }
      return;
    }
    n -= length;
    pop_front();
  }
}

void OutputQueue::pop_front() {
  segments_[head_++] = Segment{};  // releases the owner and the file now
  if (head_ == segments_.size()) {
    segments_.clear();
    head_ = 0;
  } else if (head_ >= 64 && head_ * 2 >= segments_.size()) {
    // A queue that never empties (a long stream to a slow client) must not keep its spent front.
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(head_));
    head_ = 0;
  }
}

void OutputQueue::clear() {
  segments_.clear();
  head_ = 0;
  size_ = 0;
  memory_ = 0;
}

}  // namespace gf::util
