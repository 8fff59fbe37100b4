#include <gtest/gtest.h>

#include "util/token_slots.hpp"

namespace gf::util {
namespace {

TEST(TokenSlots, FindsWhatWasAddedUntilRemoved) {
  TokenSlots<int> slots;
  int a = 1, b = 2;
  const uint64_t ta = slots.add(&a);
  const uint64_t tb = slots.add(&b);
  EXPECT_NE(ta, 0u);
  EXPECT_NE(ta, tb);
  EXPECT_EQ(slots.find(ta), &a);
  EXPECT_EQ(slots.find(tb), &b);
  slots.remove(ta);
  EXPECT_EQ(slots.find(ta), nullptr);
  EXPECT_EQ(slots.find(tb), &b);
}

TEST(TokenSlots, AStaleTokenDoesNotFindTheSlotsNextObject) {
  TokenSlots<int> slots;
  int a = 1, b = 2;
  const uint64_t ta = slots.add(&a);
  slots.remove(ta);
  const uint64_t tb = slots.add(&b);  // reuses the slot
  EXPECT_EQ(static_cast<uint32_t>(ta), static_cast<uint32_t>(tb));
  EXPECT_NE(ta, tb);
  EXPECT_EQ(slots.find(ta), nullptr);
  EXPECT_EQ(slots.find(tb), &b);
  slots.remove(ta);  // a stale removal changes nothing
  EXPECT_EQ(slots.find(tb), &b);
}

TEST(TokenSlots, UnknownTokensFindNothing) {
  TokenSlots<int> slots;
  EXPECT_EQ(slots.find(0), nullptr);
  EXPECT_EQ(slots.find(12345), nullptr);
}

}  // namespace
}  // namespace gf::util
