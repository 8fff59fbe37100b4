// Liveness slots shared between the master and its workers: an anonymous shared mapping created
// before any fork, where each worker stamps the monotonic clock and the master reads the stamps.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace gf::util {

int64_t monotonic_ns();

class HeartbeatTable {
 public:
  // Capacity bounds how many workers can be alive at once (TTIN beyond it is refused).
  explicit HeartbeatTable(size_t capacity = 4096);
  ~HeartbeatTable();
  HeartbeatTable(const HeartbeatTable&) = delete;
  HeartbeatTable& operator=(const HeartbeatTable&) = delete;

  // Master side: reserve a free slot for a new worker (stamped "now"), release it when reaped.
  std::optional<size_t> acquire();
  void release(size_t slot);
  // Nanoseconds since the worker in `slot` last called beat().
  int64_t age_ns(size_t slot) const;

  // Worker side.
  void beat(size_t slot) { slots_[slot].stamp_ns.store(monotonic_ns(), std::memory_order_relaxed); }

 private:
  struct alignas(64) Slot {  // one cache line each: workers never share a line
    std::atomic<int64_t> stamp_ns;
    bool in_use;  // master-only bookkeeping
  };
  Slot* slots_ = nullptr;
  size_t capacity_;
};

}  // namespace gf::util
