#include "net/blocking_stream.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "net/listener.hpp"
#include "net/plain_transport.hpp"
#include "util/unique_fd.hpp"

namespace gf::net {
namespace {

TEST(SetIoTimeouts, AcceptedSocketsInheritTheListenersTimeouts) {
  BindOptions options;
  options.retries = 1;
  Listener listener = Listener::bind(BindAddress::parse("127.0.0.1:0"), options);
  set_io_timeouts(listener.fd(), 7);

  util::UniqueFd client(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(listener.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  // TCP_DEFER_ACCEPT holds the connection back until its first byte arrives.
  ASSERT_EQ(::write(client.get(), "x", 1), 1);
  util::UniqueFd accepted;
  for (int i = 0; i < 200 && !accepted; ++i) {
    accepted.reset(::accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!accepted) ::usleep(5000);
  }
  ASSERT_TRUE(accepted);

  for (int option : {SO_RCVTIMEO, SO_SNDTIMEO}) {
    timeval tv{};
    socklen_t len = sizeof tv;
    ASSERT_EQ(::getsockopt(accepted.get(), SOL_SOCKET, option, &tv, &len), 0);
    EXPECT_EQ(tv.tv_sec, 7);
  }
}

TEST(BlockingStream, WritesEveryBufferAndReadsItBack) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  PlainTransport a(fds[0]), b(fds[1]);
  BlockingStream writer(a), reader(b);
  std::string head = "HTTP/1.1 200 OK\r\n\r\n", body(100000, 'x');
  iovec iov[2] = {{head.data(), head.size()}, {body.data(), body.size()}};
  std::string received;
  std::thread drain([&] {
    char buf[8192];
    while (received.size() < head.size() + body.size()) {
      size_t n = reader.read_some(buf);
      if (n == 0) break;
      received.append(buf, n);
    }
  });
  writer.write_all(iov);
  drain.join();
  EXPECT_EQ(received, head + body);
}

TEST(BlockingStream, ReadReportsEndOfStreamAsZero) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  ::close(fds[0]);
  PlainTransport b(fds[1]);
  char buf[16];
  EXPECT_EQ(BlockingStream(b).read_some(buf), 0u);
}

TEST(BlockingStream, WriteToClosedPeerThrowsIoError) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  ::close(fds[1]);
  PlainTransport a(fds[0]);
  std::string data = "hello";
  iovec iov{data.data(), data.size()};
  EXPECT_THROW(BlockingStream(a).write_all({&iov, 1}), util::IoError);
}

TEST(BlockingStream, NonBlockingReadWaitsThenTimesOut) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  PlainTransport a(fds[0]), b(fds[1]);
  int ticks = 0;
  WaitPolicy waits;
  waits.read_timeout_ms = 50;
  waits.tick = [](void* context) { ++*static_cast<int*>(context); };
  waits.tick_context = &ticks;
  char buf[16];
  EXPECT_THROW(BlockingStream(b, waits).read_some(buf), util::IoTimeout);
  ASSERT_EQ(::send(fds[0], "hi", 2, 0), 2);
  EXPECT_EQ(BlockingStream(b, waits).read_some(buf), 2u);
}

}  // namespace
}  // namespace gf::net
