#include "util/heartbeat_table.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace gf::util {
namespace {

TEST(HeartbeatTable, SlotsAreReusedAfterRelease) {
  HeartbeatTable table(2);
  auto a = table.acquire();
  auto b = table.acquire();
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_FALSE(table.acquire().has_value());
  table.release(*a);
  EXPECT_EQ(table.acquire(), a);
}

TEST(HeartbeatTable, ChildBeatIsSeenByParent) {
  HeartbeatTable table(4);
  auto slot = table.acquire();
  ASSERT_TRUE(slot);
  usleep(50'000);
  ASSERT_GE(table.age_ns(*slot), 50'000'000);
  const int64_t before_fork = monotonic_ns();
  pid_t pid = fork();
  if (pid == 0) {
    table.beat(*slot);
    _exit(0);
  }
  waitpid(pid, nullptr, 0);
  // The child beat after before_fork, so the slot is no older than that, however long the child
  // and this process waited for a CPU on a loaded machine (a fixed 50 ms bound assumed they did
  // not wait long). Without the beat the slot would be 50 ms older than that.
  const int64_t age = table.age_ns(*slot);
  EXPECT_LE(age, monotonic_ns() - before_fork);
}

}  // namespace
}  // namespace gf::util
