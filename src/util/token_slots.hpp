// Names for objects that an outside party (the kernel's epoll set) reports back later, maybe
// after the object is gone: a token is a slot index plus the slot's generation, so a token
// whose object was removed meanwhile no longer finds anything, even once the slot is reused.
#pragma once

#include <cstdint>
#include <vector>

namespace gf::util {

template <typename T>
class TokenSlots {
 public:
  // Never 0: callers may keep 0 as "no token".
  uint64_t add(T* object) {
    uint32_t index;
    if (free_.empty()) {
      index = static_cast<uint32_t>(slots_.size());
      slots_.push_back(Slot{});
    } else {
      index = free_.back();
      free_.pop_back();
    }
    slots_[index].object = object;
    return (static_cast<uint64_t>(slots_[index].generation) << 32) | index;
  }

  // The token's object, or null if it was removed.
  T* find(uint64_t token) const {
    const auto index = static_cast<uint32_t>(token);
    if (index >= slots_.size() || slots_[index].generation != static_cast<uint32_t>(token >> 32))
      return nullptr;
    return slots_[index].object;
  }

  void remove(uint64_t token) {
    const auto index = static_cast<uint32_t>(token);
    if (find(token) == nullptr) return;
    slots_[index].object = nullptr;
    if (++slots_[index].generation == 0) slots_[index].generation = 1;
    free_.push_back(index);
  }

 private:
  struct Slot {
    uint32_t generation = 1;
    T* object = nullptr;
  };
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
};

}  // namespace gf::util
