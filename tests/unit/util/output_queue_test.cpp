// OutputQueue: order, packing of small pieces, borrowed bytes held without a copy, file ranges.
#include "util/output_queue.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <memory>
#include <string>

namespace gf::util {
namespace {

std::string drain_memory(OutputQueue& queue) {
  std::string out;
  while (!queue.empty() && !queue.front_file()) {
    std::array<iovec, 4> parts;
    auto gathered = queue.gather(parts);
    size_t n = 0;
    for (const iovec& part : gathered) {
      out.append(static_cast<const char*>(part.iov_base), part.iov_len);
      n += part.iov_len;
    }
    queue.consume(n);
  }
  return out;
}

TEST(OutputQueue, KeepsOrderAcrossPartialConsumption) {
  OutputQueue queue;
  queue.append("head\r\n");
  queue.append("body");
  EXPECT_EQ(queue.size(), 10u);
  EXPECT_EQ(queue.memory_bytes(), 10u);
  queue.consume(3);
  EXPECT_EQ(queue.size(), 7u);
  EXPECT_EQ(drain_memory(queue), "d\r\nbody");
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.memory_bytes(), 0u);
}

TEST(OutputQueue, PacksSmallPiecesIntoOneBlock) {
  OutputQueue queue;
  for (int i = 0; i < 100; ++i) queue.append("0123456789");
  std::array<iovec, 8> parts;
  EXPECT_EQ(queue.gather(parts).size(), 1u);  // one segment, one iovec
  EXPECT_EQ(queue.size(), 1000u);
}

TEST(OutputQueue, BorrowedBytesAreHeldNotCopiedAndReleasedOnceSent) {
  OutputQueue queue;
  auto owner = std::make_shared<std::string>(100000, 'b');
  std::weak_ptr<std::string> watch = owner;
  queue.append("x");
  queue.append_borrowed(*owner, owner);
  owner.reset();
  EXPECT_FALSE(watch.expired());  // the queue keeps it alive
  std::array<iovec, 4> parts;
  auto gathered = queue.gather(parts);
  ASSERT_EQ(gathered.size(), 2u);
  EXPECT_EQ(gathered[1].iov_base, watch.lock()->data());  // the owner's own bytes
  queue.consume(1 + 50000);
  EXPECT_FALSE(watch.expired());
  queue.consume(50000);
  EXPECT_TRUE(watch.expired());
  EXPECT_TRUE(queue.empty());
}

TEST(OutputQueue, FileRangesCostNoMemoryAndComeInOrder) {
  char path[] = "/tmp/gf-output-queue-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::unlink(path);
  OutputQueue queue;
  queue.append("head");
  queue.append_file(UniqueFd(fd), 10, 500);
  queue.append("tail");
  EXPECT_EQ(queue.size(), 508u);
  EXPECT_EQ(queue.memory_bytes(), 8u);
  EXPECT_EQ(drain_memory(queue), "head");
  auto file = queue.front_file();
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->offset, 10);
  EXPECT_EQ(file->count, 500u);
  queue.consume(200);
  EXPECT_EQ(queue.front_file()->offset, 210);
  queue.consume(300);
  EXPECT_FALSE(queue.front_file().has_value());
  EXPECT_EQ(drain_memory(queue), "tail");
}

TEST(OutputQueue, ClearDropsEverything) {
  OutputQueue queue;
  queue.append("abc");
  queue.append_borrowed("def", std::make_shared<int>(1));
  queue.clear();
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.size(), 0u);
  EXPECT_EQ(queue.memory_bytes(), 0u);
}

// A queue that never empties (a stream to a slow reader) sheds its spent front as it goes and
// keeps its order.
TEST(OutputQueue, LongLivedQueueKeepsOrderWhileItsFrontIsShed) {
  OutputQueue queue;
  auto owner = std::make_shared<std::string>("0123456789");
  std::string expected, sent;
  for (int round = 0; round < 300; ++round) {
    queue.append_borrowed(*owner, owner);
    queue.append_borrowed(std::string_view(*owner).substr(round % 10), owner);
    expected += *owner;
    expected += owner->substr(round % 10);
    std::array<iovec, 1> part;
    auto gathered = queue.gather(part);  // one segment out per round: the queue keeps growing
    sent.append(static_cast<const char*>(gathered[0].iov_base), gathered[0].iov_len);
    queue.consume(gathered[0].iov_len);
  }
  sent += drain_memory(queue);
  EXPECT_EQ(sent, expected);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(owner.use_count(), 1);  // every borrowed piece was released once sent
}

}  // namespace
}  // namespace gf::util
