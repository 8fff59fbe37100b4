#include "net/socket_stream.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "net/listener.hpp"
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

TEST(SocketStream, WritesEveryBufferAndReadsItBack) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  util::UniqueFd a(fds[0]), b(fds[1]);
  SocketStream writer(a.get()), reader(b.get());
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

TEST(SocketStream, ReadReportsEndOfStreamAsZero) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  util::UniqueFd a(fds[0]), b(fds[1]);
  a.reset();
  char buf[16];
  EXPECT_EQ(SocketStream(b.get()).read_some(buf), 0u);
}

TEST(SocketStream, WriteToClosedPeerThrowsIoError) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  util::UniqueFd a(fds[0]), b(fds[1]);
  b.reset();
  std::string data = "hello";
  iovec iov{data.data(), data.size()};
  EXPECT_THROW(SocketStream(a.get()).write_all({&iov, 1}), util::IoError);
}

}  // namespace
}  // namespace gf::net
