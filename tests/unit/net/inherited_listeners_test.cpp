#include "net/inherited_listeners.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace gf::net {
namespace {

TEST(ParseFdList, CommaSeparated) {
  EXPECT_EQ(parse_fd_list("3"), (std::vector<int>{3}));
  EXPECT_EQ(parse_fd_list("5,6,17"), (std::vector<int>{5, 6, 17}));
  EXPECT_EQ(parse_fd_list(" 5, 6 "), (std::vector<int>{5, 6}));
}

TEST(ParseFdList, GarbageIsAnErrorNamingTheVariable) {
  for (const char* bad : {"", ",", "3,", ",3", "x", "3;4", "-1", "3.5", "99999999999"}) {
    try {
      parse_fd_list(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const BindError& e) {
      EXPECT_NE(std::string(e.what()).find("GUNICORN_FD"), std::string::npos) << e.what();
    }
  }
}

TEST(AdoptAll, TakesOverListeningSocketsInOrder) {
  std::vector<int> fds;
  std::vector<uint16_t> ports;
  for (int i = 0; i < 2; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin), 0);
    socklen_t len = sizeof sin;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len);
    ports.push_back(ntohs(sin.sin_port));
    fds.push_back(fd);
  }
  auto listeners = adopt_all(fds, 16);
  ASSERT_EQ(listeners.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(listeners[i].fd(), fds[i]);
    EXPECT_EQ(listeners[i].port(), ports[i]);
  }
}

TEST(AdoptAll, RefusesAnFdThatIsNotASocket) {
  EXPECT_THROW(adopt_all({999}, 16), BindError);
}

}  // namespace
}  // namespace gf::net
