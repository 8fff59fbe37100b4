#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <system_error>
#include <vector>

#include "net/readiness_set.hpp"
#include "util/unique_fd.hpp"

namespace gf::net {
namespace {

struct Pair {
  Pair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    ours.reset(fds[0]);
    theirs.reset(fds[1]);
  }
  void send(const char* bytes) const {
    ASSERT_GT(::send(theirs.get(), bytes, strlen(bytes), MSG_NOSIGNAL), 0);
  }
  util::UniqueFd ours, theirs;
};

std::vector<uint64_t> ready(ReadinessSet& set) {
  std::array<ReadinessSet::Event, 8> events;
  std::vector<uint64_t> tokens;
  for (const auto& event : set.take_ready(events))
    if (event.readable) tokens.push_back(event.token);
  return tokens;
}

bool set_is_readable(const ReadinessSet& set) {
  pollfd p{set.fd(), POLLIN, 0};
  return ::poll(&p, 1, 0) == 1;
}

TEST(ReadinessSet, ReportsEachArrivalOnceUnderItsToken) {
  ReadinessSet set;
  Pair a, b;
  set.add(a.ours.get(), 7);
  set.add(b.ours.get(), 1ull << 40);
  EXPECT_TRUE(ready(set).empty());
  EXPECT_FALSE(set_is_readable(set));

  b.send("x");
  EXPECT_TRUE(set_is_readable(set));  // what lets an outer loop wait on the set
  EXPECT_EQ(ready(set), std::vector<uint64_t>{1ull << 40});
  EXPECT_TRUE(ready(set).empty());  // edge-triggered: not again until more bytes come

  b.send("y");
  a.send("z");
  auto both = ready(set);
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, (std::vector<uint64_t>{7, 1ull << 40}));
}

TEST(ReadinessSet, ASocketReadableWhenAddedIsReported) {
  ReadinessSet set;
  Pair a;
  a.send("GET / HTTP/1.1\r\n\r\n");
  set.add(a.ours.get(), 3);
  EXPECT_EQ(ready(set), std::vector<uint64_t>{3});
}

TEST(ReadinessSet, ThePeersEndIsAnEvent) {
  ReadinessSet set;
  Pair a;
  set.add(a.ours.get(), 5);
  a.theirs.reset();
  EXPECT_EQ(ready(set), std::vector<uint64_t>{5});
}

TEST(ReadinessSet, ASocketLeavesTheSetWithItsLastDescriptor) {
  ReadinessSet set;
  Pair a;
  set.add(a.ours.get(), 9);
  util::UniqueFd dup(::dup(a.ours.get()));  // as a Python socket object the app keeps
  a.ours.reset();
  a.send("late");
  EXPECT_EQ(ready(set), std::vector<uint64_t>{9});  // why the worker's tokens carry a generation
}

TEST(ReadinessSet, AClosedSocketIsNotReported) {
  ReadinessSet set;
  Pair a, b;
  set.add(a.ours.get(), 1);
  set.add(b.ours.get(), 2);
  a.send("x");
  b.send("y");
  a.ours.reset();  // before its event was taken
  EXPECT_EQ(ready(set), std::vector<uint64_t>{2});
}

TEST(ReadinessSet, ReportsNoMoreThanAskedAndKeepsTheRest) {
  ReadinessSet set;
  std::vector<Pair> pairs(5);
  for (size_t i = 0; i < pairs.size(); ++i) {
    set.add(pairs[i].ours.get(), i);
    pairs[i].send("x");
  }
  std::array<ReadinessSet::Event, 2> two;
  EXPECT_EQ(set.take_ready(two).size(), 2u);
  EXPECT_EQ(ready(set).size(), 3u);
}

TEST(ReadinessSet, AddingTwiceIsAnError) {
  ReadinessSet set;
  Pair a;
  set.add(a.ours.get(), 1);
  EXPECT_THROW(set.add(a.ours.get(), 2), std::system_error);
}

TEST(ReadinessSet, ReportsRoomToWriteOnlyWhileAsked) {
  ReadinessSet set;
  Pair a;
  set.add(a.ours.get(), 3);
  a.send("x");
  std::array<ReadinessSet::Event, 8> events;
  auto first = set.take_ready(events);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(first[0].readable);
  EXPECT_FALSE(first[0].writable);  // room to write is not watched by default

  // Fill the socket until it takes no more, then ask to hear when it has room again.
  std::vector<char> block(65536, 'b');
  while (::send(a.ours.get(), block.data(), block.size(), MSG_NOSIGNAL) > 0) {
  }
  set.watch_writable(a.ours.get(), 3, true);
  for (const auto& event : set.take_ready(events)) EXPECT_FALSE(event.writable);
  std::vector<char> sink(1 << 20);
  while (::recv(a.theirs.get(), sink.data(), sink.size(), 0) > 0) {
  }
  auto later = set.take_ready(events);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].token, 3u);
  EXPECT_TRUE(later[0].writable);

  set.watch_writable(a.ours.get(), 3, false);
  while (::send(a.ours.get(), block.data(), block.size(), MSG_NOSIGNAL) > 0) {
  }
  while (::recv(a.theirs.get(), sink.data(), sink.size(), 0) > 0) {
  }
  for (const auto& event : set.take_ready(events)) EXPECT_FALSE(event.writable);
}

}  // namespace
}  // namespace gf::net
