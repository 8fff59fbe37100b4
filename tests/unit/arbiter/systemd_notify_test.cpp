#include "arbiter/systemd_notify.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "util/unique_fd.hpp"

namespace gf::arbiter {
namespace {

// A datagram socket bound at `name` ("/path" or "@abstract"), as systemd listens.
util::UniqueFd listen_at(const std::string& name) {
  util::UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string wire = name;
  if (wire[0] == '@') wire[0] = '\0';
  std::memcpy(addr.sun_path, wire.data(), wire.size());
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + wire.size() +
                                          (wire[0] == '\0' ? 0 : 1));
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len), 0) << strerror(errno);
  return fd;
}

std::string receive(int fd) {
  char buf[512];
  const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

struct EnvGuard {
  ~EnvGuard() { ::unsetenv("NOTIFY_SOCKET"); }
};

TEST(SdNotify, SendsToAFilesystemSocket) {
  EnvGuard guard;
  const std::string path = "/tmp/gf-notify-" + std::to_string(::getpid());
  ::unlink(path.c_str());
  auto fd = listen_at(path);
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  EXPECT_TRUE(notify_socket_set());
  EXPECT_TRUE(sd_notify("READY=1\nSTATUS=booted"));
  EXPECT_EQ(receive(fd.get()), "READY=1\nSTATUS=booted");
  ::unlink(path.c_str());
}

TEST(SdNotify, SendsToAnAbstractSocket) {
  EnvGuard guard;
  const std::string name = "@gf-notify-abstract-" + std::to_string(::getpid());
  auto fd = listen_at(name);
  ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
  EXPECT_TRUE(sd_notify("STOPPING=1"));
  EXPECT_EQ(receive(fd.get()), "STOPPING=1");
}

TEST(SdNotify, IgnoresMissingOrMalformedAddresses) {
  EnvGuard guard;
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(notify_socket_set());
  EXPECT_FALSE(sd_notify("READY=1"));
  for (const char* bad : {"", "@", "relative/path", "/nonexistent/gf-socket"}) {
    ::setenv("NOTIFY_SOCKET", bad, 1);
    EXPECT_FALSE(sd_notify("READY=1")) << bad;
  }
}

}  // namespace
}  // namespace gf::arbiter
