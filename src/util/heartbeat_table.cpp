#include "util/heartbeat_table.hpp"

#include <sys/mman.h>
#include <time.h>

#include <new>
#include <system_error>

namespace gf::util {

int64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

HeartbeatTable::HeartbeatTable(size_t capacity) : capacity_(capacity) {
  void* mem = mmap(nullptr, capacity * sizeof(Slot), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap heartbeat");
  slots_ = static_cast<Slot*>(mem);  // zero-filled by the kernel: every slot free
}

HeartbeatTable::~HeartbeatTable() {
  munmap(slots_, capacity_ * sizeof(Slot));
}

std::optional<size_t> HeartbeatTable::acquire() {
  for (size_t i = 0; i < capacity_; ++i) {
    if (!slots_[i].in_use) {
      slots_[i].in_use = true;
      beat(i);
      return i;
    }
  }
  return std::nullopt;
}

void HeartbeatTable::release(size_t slot) {
  slots_[slot].in_use = false;
}

int64_t HeartbeatTable::age_ns(size_t slot) const {
  return monotonic_ns() - slots_[slot].stamp_ns.load(std::memory_order_relaxed);
}

}  // namespace gf::util
