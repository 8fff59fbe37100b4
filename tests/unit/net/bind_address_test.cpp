#include <gtest/gtest.h>

#include <stdexcept>

#include "net/bind_address.hpp"

namespace gf::net {
namespace {

BindAddress tcp(std::string host, uint16_t port) {
  BindAddress a;
  a.host = std::move(host);
  a.port = port;
  return a;
}

TEST(BindAddress, TcpForms) {
  EXPECT_EQ(BindAddress::parse("127.0.0.1:8000"), tcp("127.0.0.1", 8000));
  EXPECT_EQ(BindAddress::parse("0.0.0.0:80"), tcp("0.0.0.0", 80));
  EXPECT_EQ(BindAddress::parse("localhost"), tcp("localhost", 8000));
  EXPECT_EQ(BindAddress::parse("LocalHost:9000"), tcp("localhost", 9000));  // lowercased
  EXPECT_EQ(BindAddress::parse("example.com:0"), tcp("example.com", 0));
  EXPECT_EQ(BindAddress::parse(":8080"), tcp("0.0.0.0", 8080));
  EXPECT_EQ(BindAddress::parse(""), tcp("0.0.0.0", 8000));
  EXPECT_EQ(BindAddress::parse("tcp://10.1.2.3:5000"), tcp("10.1.2.3", 5000));
  EXPECT_EQ(BindAddress::parse("tcp://myhost"), tcp("myhost", 8000));
  EXPECT_EQ(BindAddress::parse("127.0.0.1:65535"), tcp("127.0.0.1", 65535));
}

TEST(BindAddress, Ipv6Forms) {
  EXPECT_EQ(BindAddress::parse("[::1]:8000"), tcp("::1", 8000));
  EXPECT_EQ(BindAddress::parse("[::]"), tcp("::", 8000));
  EXPECT_EQ(BindAddress::parse("[2001:DB8::1]:443"), tcp("2001:db8::1", 443));
  EXPECT_EQ(BindAddress::parse("tcp://[::1]:1"), tcp("::1", 1));
  EXPECT_EQ(BindAddress::parse("[fe80::1%lo]:8000"), tcp("fe80::1%lo", 8000));
  EXPECT_TRUE(BindAddress::parse("[::1]").is_ipv6());
  EXPECT_FALSE(BindAddress::parse("127.0.0.1").is_ipv6());
}

TEST(BindAddress, UnixAndFdForms) {
  BindAddress a = BindAddress::parse("unix:/tmp/app.sock");
  EXPECT_EQ(a.kind, BindAddress::Kind::kUnix);
  EXPECT_EQ(a.path, "/tmp/app.sock");
  EXPECT_EQ(BindAddress::parse("unix:///run/x.sock").path, "/run/x.sock");
  EXPECT_EQ(BindAddress::parse("unix:relative.sock").path, "relative.sock");
  EXPECT_EQ(BindAddress::parse("unix:/Mixed/Case").path, "/Mixed/Case");  // paths keep case

  BindAddress f = BindAddress::parse("fd://3");
  EXPECT_EQ(f.kind, BindAddress::Kind::kFd);
  EXPECT_EQ(f.fd, 3);
}

TEST(BindAddress, Errors) {
  for (const char* bad :
       {"127.0.0.1:", "127.0.0.1:http", "127.0.0.1:-1", "127.0.0.1:65536", "127.0.0.1:99999999999",
        "h:1:2", "::1", "[::1", "[::1]8000", "[::1]:", "[not-v6]:80", "[::1]:x", "unix:", "unix://",
        "fd://", "fd://x", "fd://-1", "fd://3x", "tcp://:"}) {
    EXPECT_THROW(BindAddress::parse(bad), std::invalid_argument) << bad;
  }
}

TEST(BindAddress, ErrorMessagesNameTheProblem) {
  try {
    BindAddress::parse("localhost:http");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "'http' is not a valid port number in bind address 'localhost:http'.");
  }
  try {
    BindAddress::parse("fd://abc");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "'abc' is not a valid file descriptor.");
  }
}

TEST(BindAddress, UrlAndDescribe) {
  EXPECT_EQ(BindAddress::parse("127.0.0.1:8000").url(), "http://127.0.0.1:8000");
  EXPECT_EQ(BindAddress::parse("[::1]:8000").url(), "http://[::1]:8000");
  EXPECT_EQ(BindAddress::parse("unix:/run/a.sock").url(), "unix:/run/a.sock");
  EXPECT_EQ(BindAddress::parse("fd://4").url(), "fd://4");
  EXPECT_EQ(BindAddress::parse("127.0.0.1:8000").describe(), "('127.0.0.1', 8000)");
  EXPECT_EQ(BindAddress::parse("[::1]:80").describe(), "('::1', 80)");
  EXPECT_EQ(BindAddress::parse("unix:/run/a.sock").describe(), "/run/a.sock");
  EXPECT_EQ(BindAddress::parse("fd://4").describe(), "4");
}

}  // namespace
}  // namespace gf::net
