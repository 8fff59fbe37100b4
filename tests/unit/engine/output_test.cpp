// engine::Output: direct writes while the socket takes them, queueing (copied or borrowed)
// when it does not, sendfile ranges kept by a duplicate descriptor, and blocking waits.
#include "engine/output.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "engine_fakes.hpp"
#include "net/plain_transport.hpp"

namespace gf::engine {
namespace {

using testing::FakeTransport;
using testing::sends;
using testing::Wire;

OutputLimits small_limits() {
  OutputLimits limits;
  limits.high_water = 1000;
  limits.low_water = 100;
  limits.waits.write_timeout_ms = 200;
  return limits;
}

TEST(Output, WritesThroughWhileTheSocketTakesEverything) {
  Wire wire = sends("");
  FakeTransport transport(wire);
  Output out(transport, small_limits());
  out.write_bytes("hello");
  EXPECT_EQ(wire.output, "hello");
  EXPECT_TRUE(out.empty());
}

TEST(Output, QueuesTheRestAndFlushesItInOrder) {
  Wire wire = sends("", 2);
  FakeTransport transport(wire);
  Output out(transport, small_limits());
  out.write_bytes("hello");
  out.write_bytes(" world");  // behind queued bytes: never overtakes them
  EXPECT_EQ(wire.output, "he");
  EXPECT_EQ(out.pending(), 9u);
  EXPECT_EQ(out.flush(), Output::Flush::kPending);
  wire.room = SIZE_MAX;
  EXPECT_EQ(out.flush(), Output::Flush::kEmpty);
  EXPECT_EQ(wire.output, "hello world");
}

TEST(Output, LargeSharedChunksAreQueuedByReference) {
  Wire wire = sends("", 10);
  FakeTransport transport(wire);
  Output out(transport, small_limits());
  auto owner = std::make_shared<std::string>(100000, 'c');
  std::weak_ptr<std::string> watch = owner;
  {
    const util::SharedBytes shared{*owner, owner};  // what a writer hands over for one call
    iovec part{owner->data(), owner->size()};
    out.write_all({&part, 1}, &shared);
  }
  owner.reset();
  EXPECT_FALSE(watch.expired());  // held, not copied
  EXPECT_TRUE(out.congested());
  wire.room = SIZE_MAX;
  EXPECT_EQ(out.flush(), Output::Flush::kEmpty);
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(wire.output.size(), 100000u);
}

TEST(Output, ABrokenConnectionThrowsForEveryLaterWrite) {
  Wire wire = sends("");
  wire.closed = true;
  FakeTransport transport(wire);
  Output out(transport, small_limits());
  EXPECT_THROW(out.write_bytes("x"), util::IoError);
  EXPECT_THROW(out.write_bytes("y"), util::IoError);
  EXPECT_EQ(out.flush(), Output::Flush::kFailed);
}

TEST(Output, WaitUncongestedTimesOutWithoutProgress) {
  Wire wire = sends("", 0);
  FakeTransport transport(wire);
  Output out(transport, small_limits());
  out.write_bytes(std::string(2000, 'q'));
  EXPECT_TRUE(out.congested());
  EXPECT_THROW(out.wait_uncongested(), util::IoTimeout);
}

TEST(Output, SendfileRemainderIsQueuedOnAnOwnDescriptor) {
  char path[] = "/tmp/gf-output-file-XXXXXX";
  int file = ::mkstemp(path);
  ASSERT_GE(file, 0);
  ::unlink(path);
  const std::string content(4 << 20, 'f');
  ASSERT_EQ(::write(file, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  net::PlainTransport ours(fds[0]), theirs(fds[1]);
  Output out(ours, small_limits());
  out.send_file(file, 0, content.size());  // more than the socket holds
  ::close(file);                           // the application closes its file at once
  EXPECT_FALSE(out.empty());
  EXPECT_FALSE(out.congested());  // a file range costs no memory
  std::string received;
  char buffer[65536];
  while (received.size() < content.size()) {
    out.flush();
    const net::IoResult r = theirs.read(buffer);
    if (r.status == net::IoResult::kDone) received.append(buffer, r.bytes);
  }
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(received, content);
}

}  // namespace
}  // namespace gf::engine
