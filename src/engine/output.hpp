// A connection's output as producers see it (a util::ByteSink that never blocks): what the
// socket takes at once goes out at once, the rest waits in an OutputQueue that the event loop
// flushes when the socket has room. Above the high-water mark the producer should pause.
#pragma once

#include <cstddef>
#include <string>

#include "net/blocking_stream.hpp"
#include "net/transport.hpp"
#include "util/output_queue.hpp"
#include "util/stream.hpp"

namespace gf::engine {

struct OutputLimits {
  size_t high_water = 256 * 1024;  // congested above this many queued bytes of memory
  size_t low_water = 64 * 1024;    // a paused producer goes on at or below this
  net::WaitPolicy waits;           // for wait_uncongested(): write timeout and heartbeat
  // Queue every write and let the engine flush once per turn of the loop (the asgi worker, as
  // uvloop's transports do): the responses of a turn's requests leave back to back, so a peer
  // asleep in epoll is woken once for them rather than once each - that wake-up is the costliest
  // part of a small response's send on loopback.
  bool defer_writes = false;
};

class Output final : public util::ByteSink {
 public:
  Output(net::Transport& transport, const OutputLimits& limits)
      : transport_(transport), limits_(limits) {}

  // util::ByteSink. Throw util::IoError once the connection is broken.
  using util::ByteSink::write_all;
  void write_all(std::span<const iovec> parts, const util::SharedBytes* shared) override;
  void send_file(int file, off_t offset, size_t count) override;
  bool congested() const override { return queue_.memory_bytes() > limits_.high_water; }
  // For a producer that cannot pause (an application thread inside write()): sends from this
  // thread until at most the low-water mark is queued. Throws util::IoTimeout past the write
  // timeout without progress, util::IoError when the connection breaks.
  void wait_uncongested() override;

  enum class Flush {
    kEmpty,    // everything went out
    kPending,  // the socket is full: wait until it is writable
    kFailed,   // the connection is broken (failure() says why)
  };
  // Sends what the socket takes now (event loop; never blocks).
  Flush flush();
  size_t pending() const { return queue_.size(); }
  bool empty() const { return queue_.empty(); }
  const std::string& failure() const { return failure_; }
  const OutputLimits& limits() const { return limits_; }
  // Drops what is still queued (the connection is going away).
  void discard() { queue_.clear(); }
  // With defer_writes: called whenever a write left bytes queued for the next flush.
  void set_deferred_hook(void (*hook)(void*), void* context) {
    deferred_hook_ = hook;
    deferred_context_ = context;
  }

 private:
  // Writes `parts` now as far as the socket takes them; returns how many bytes went out.
  size_t write_now(std::span<const iovec> parts);
  void queue_rest(std::span<const iovec> parts, size_t sent, const util::SharedBytes* shared);
  [[noreturn]] void fail(const char* what, int error);

  net::Transport& transport_;
  OutputLimits limits_;
  util::OutputQueue queue_;
  std::string failure_;  // set once broken: every later write throws it
  void (*deferred_hook_)(void*) = nullptr;
  void* deferred_context_ = nullptr;

  void queued_for_later() {
    if (deferred_hook_ != nullptr && !queue_.empty()) deferred_hook_(deferred_context_);
  }
};

}  // namespace gf::engine
