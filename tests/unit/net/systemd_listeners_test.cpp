#include "net/systemd_listeners.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace gf::net {
namespace {

TEST(SystemdListeners, OnlyFdsPassedToThisProcessCount) {
  ::setenv("LISTEN_FDS", "2", 1);
  ::setenv("LISTEN_PID", std::to_string(::getpid() + 1).c_str(), 1);
  EXPECT_EQ(take_systemd_listen_fds(), 0) << "meant for another process";
  EXPECT_NE(std::getenv("LISTEN_FDS"), nullptr) << "left alone when not ours";

  ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
  EXPECT_EQ(take_systemd_listen_fds(), 2);
  EXPECT_EQ(std::getenv("LISTEN_FDS"), nullptr) << "removed so children do not inherit them";
  EXPECT_EQ(std::getenv("LISTEN_PID"), nullptr);
  EXPECT_EQ(take_systemd_listen_fds(), 0);
}

TEST(SystemdListeners, AdoptsTheSocketsFromFdThree) {
  // Put a bound TCP socket at fd 3 as systemd would, keeping whatever was there.
  const int saved = ::dup(kSystemdFirstFd);
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::dup2(s, kSystemdFirstFd), kSystemdFirstFd);
  ::close(s);
  {
    auto listeners = adopt_systemd_listeners(1, 16);
    ASSERT_EQ(listeners.size(), 1u);
    EXPECT_EQ(listeners[0].fd(), kSystemdFirstFd);
    EXPECT_EQ(listeners[0].host(), "127.0.0.1");
    EXPECT_NE(listeners[0].port(), 0);
  }  // closes fd 3
  if (saved >= 0) {
    ::dup2(saved, kSystemdFirstFd);
    ::close(saved);
  }
}

}  // namespace
}  // namespace gf::net
