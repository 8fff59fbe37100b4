#include "engine/output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "util/heartbeat_table.hpp"

namespace gf::engine {
namespace {

// Pieces from this size up are queued by reference when their owner allows it.
constexpr size_t kShareFromBytes = 16 * 1024;
// Writes of more pieces than this are queued first (responses use at most 8).
constexpr size_t kMaxDirectParts = 16;

}  // namespace

void Output::fail(const char* what, int error) {
  failure_ = std::string(what) + ": " + std::strerror(error);
  queue_.clear();
  throw util::IoError(failure_);
}

size_t Output::write_now(std::span<const iovec> parts) {
  size_t total = 0;
  for (const iovec& part : parts) total += part.iov_len;
  size_t sent = 0;
  // Copied once on a partial write, then advanced in place; the caller's iovecs stay as given.
  std::array<iovec, kMaxDirectParts> rest;
  std::span<const iovec> left = parts;
  while (sent < total) {
    const net::IoResult r = transport_.write(left);
    if (r.status == net::IoResult::kWouldBlock) break;
    if (r.status != net::IoResult::kDone) fail("send", r.error);
    sent += r.bytes;
    if (sent == total) break;
    // Rebuild what is left after a partial write.
    size_t skip = sent;
    size_t count = 0;
    for (const iovec& part : parts) {
      if (skip >= part.iov_len) {
        skip -= part.iov_len;
        continue;
      }
      rest[count++] = {static_cast<char*>(part.iov_base) + skip, part.iov_len - skip};
      skip = 0;
    }
    left = std::span<const iovec>(rest.data(), count);
  }
  return sent;
}

void Output::queue_rest(std::span<const iovec> parts, size_t sent,
                        const util::SharedBytes* shared) {
  for (const iovec& part : parts) {
    if (sent >= part.iov_len) {
      sent -= part.iov_len;
      continue;
    }
    const iovec rest{static_cast<char*>(part.iov_base) + sent, part.iov_len - sent};
    sent = 0;
    if (shared != nullptr && rest.iov_len >= kShareFromBytes && shared->contains(rest))
      queue_.append_borrowed({static_cast<const char*>(rest.iov_base), rest.iov_len},
                             shared->owner);
    else
      queue_.append({&rest, 1});
  }
}

void Output::write_all(std::span<const iovec> parts, const util::SharedBytes* shared) {
  if (!failure_.empty()) throw util::IoError(failure_);
  if (limits_.defer_writes) {
    queue_rest(parts, 0, shared);
    queued_for_later();
    return;
  }
  // In order: nothing may overtake what is already queued.
  const bool direct = queue_.empty() && parts.size() <= kMaxDirectParts;
  const size_t sent = direct ? write_now(parts) : 0;
  queue_rest(parts, sent, shared);
  // Behind queued bytes: make what progress the socket allows.
  if (!direct && flush() == Flush::kFailed) throw util::IoError(failure_);
}

void Output::send_file(int file, off_t offset, size_t count) {
  if (!failure_.empty()) throw util::IoError(failure_);
  while (queue_.empty() && count > 0 && !limits_.defer_writes) {
    const net::IoResult r = transport_.send_file(file, offset, count);
    if (r.status == net::IoResult::kWouldBlock) break;
    if (r.status != net::IoResult::kDone) {
      if (r.error == ENODATA) {
        failure_ = "sendfile: file shorter than announced";
        throw util::IoError(failure_);
      }
      fail("sendfile", r.error);
    }
    offset += static_cast<off_t>(r.bytes);
    count -= r.bytes;
  }
  if (count == 0) return;
  // The application closes its file after the response; the queue keeps a descriptor of its own.
  util::UniqueFd copy(::fcntl(file, F_DUPFD_CLOEXEC, 0));
  if (!copy) fail("sendfile", errno);
  queue_.append_file(std::move(copy), offset, count);
  if (limits_.defer_writes) queued_for_later();
}

Output::Flush Output::flush() {
  if (!failure_.empty()) return Flush::kFailed;
  while (!queue_.empty()) {
    net::IoResult r;
    if (const auto file = queue_.front_file()) {
      r = transport_.send_file(file->fd, file->offset, file->count);
      if (r.status == net::IoResult::kFailed && r.error == ENODATA) {
        failure_ = "sendfile: file shorter than announced";
        queue_.clear();
        return Flush::kFailed;
      }
    } else {
      std::array<iovec, 16> parts;
      r = transport_.write(queue_.gather(parts));
    }
    if (r.status == net::IoResult::kWouldBlock) return Flush::kPending;
    if (r.status != net::IoResult::kDone) {
      failure_ = std::string("send: ") + std::strerror(r.error);
      queue_.clear();
      return Flush::kFailed;
    }
    queue_.consume(r.bytes);
  }
  return Flush::kEmpty;
}

void Output::wait_uncongested() {
  const int timeout_ms = limits_.waits.write_timeout_ms;
  int64_t deadline =
      timeout_ms < 0 ? INT64_MAX : util::monotonic_ns() + int64_t{timeout_ms} * 1'000'000;
  size_t before = queue_.size();
  while (queue_.memory_bytes() > limits_.low_water) {
    if (flush() == Flush::kFailed) throw util::IoError(failure_);
    if (queue_.size() < before) {  // progress: the client is reading, give it more time
      before = queue_.size();
      if (timeout_ms >= 0) deadline = util::monotonic_ns() + int64_t{timeout_ms} * 1'000'000;
      continue;
    }
    const int64_t left_ms = (deadline - util::monotonic_ns()) / 1'000'000;
    if (left_ms <= 0) throw util::IoTimeout("send: timed out");
    if (!transport_.wait(net::Readiness::kWritable,
                         static_cast<int>(std::min<int64_t>(left_ms, 1000))) &&
        limits_.waits.tick != nullptr)
      limits_.waits.tick(limits_.waits.tick_context);
  }
}

}  // namespace gf::engine
