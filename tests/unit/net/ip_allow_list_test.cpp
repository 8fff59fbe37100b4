#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstring>
#include <stdexcept>

#include "net/ip_allow_list.hpp"

namespace gf::net {
namespace {

sockaddr_storage v4(const char* ip) {
  sockaddr_storage ss{};
  auto* in = reinterpret_cast<sockaddr_in*>(&ss);
  in->sin_family = AF_INET;
  ::inet_pton(AF_INET, ip, &in->sin_addr);
  return ss;
}

sockaddr_storage v6(const char* ip) {
  sockaddr_storage ss{};
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
  in6->sin6_family = AF_INET6;
  ::inet_pton(AF_INET6, ip, &in6->sin6_addr);
  return ss;
}

TEST(IpAllowList, DefaultGunicornList) {
  auto list = IpAllowList::parse("127.0.0.1,::1");
  EXPECT_TRUE(list.allows("127.0.0.1"));
  EXPECT_TRUE(list.allows("::1"));
  EXPECT_TRUE(list.allows("0:0::1"));  // compared as addresses, not text
  EXPECT_FALSE(list.allows("127.0.0.2"));
  EXPECT_FALSE(list.allows("10.0.0.1"));
  EXPECT_FALSE(list.allows("not an ip"));
  EXPECT_TRUE(list.allows(v4("127.0.0.1")));
  EXPECT_FALSE(list.allows(v4("192.168.1.1")));
  EXPECT_TRUE(list.allows(v6("::1")));
  EXPECT_FALSE(list.allows(v6("::2")));
}

TEST(IpAllowList, Cidr) {
  auto list = IpAllowList::parse(
      std::vector<std::string>{"10.0.0.0/8", " 192.168.4.0/22 ", "2001:db8::/32", "172.16.0.1/32"});
  EXPECT_TRUE(list.allows("10.255.3.4"));
  EXPECT_FALSE(list.allows("11.0.0.0"));
  EXPECT_TRUE(list.allows("192.168.7.255"));
  EXPECT_FALSE(list.allows("192.168.8.0"));
  EXPECT_TRUE(list.allows("2001:db8:ffff::1"));
  EXPECT_FALSE(list.allows("2001:db9::1"));
  EXPECT_TRUE(list.allows("172.16.0.1"));
  EXPECT_FALSE(list.allows("172.16.0.2"));
  auto everything = IpAllowList::parse("0.0.0.0/0,::/0");
  EXPECT_TRUE(everything.allows("8.8.8.8"));
  EXPECT_TRUE(everything.allows("2a00::1"));
}

TEST(IpAllowList, DottedMasks) {
  auto list = IpAllowList::parse("10.0.0.0/255.0.0.0,192.168.1.0/0.0.0.255");
  EXPECT_TRUE(list.allows("10.9.9.9"));
  EXPECT_TRUE(list.allows("192.168.1.200"));
  EXPECT_FALSE(list.allows("192.168.2.1"));
  EXPECT_THROW(IpAllowList::parse("10.0.0.0/255.0.255.0"), std::invalid_argument);
}

TEST(IpAllowList, ConstructsFromStringList) {
  IpAllowList list(std::vector<std::string>{"127.0.0.1", "::1"});
  EXPECT_TRUE(list.allows("::1"));
  EXPECT_FALSE(list.allows("10.0.0.1"));
}

TEST(IpAllowList, Star) {
  auto list = IpAllowList::parse("*");
  EXPECT_TRUE(list.allows_all());
  EXPECT_TRUE(list.allows("203.0.113.9"));
  EXPECT_TRUE(list.allows(v6("2001:db8::5")));
}

TEST(IpAllowList, MappedIpv4MatchesIpv4Entries) {
  auto list = IpAllowList::parse("127.0.0.1,10.0.0.0/8");
  EXPECT_TRUE(list.allows(v6("::ffff:127.0.0.1")));
  EXPECT_TRUE(list.allows("::ffff:10.1.2.3"));
  EXPECT_FALSE(list.allows(v6("::ffff:192.168.0.1")));
  EXPECT_FALSE(list.allows(v6("::127.0.0.1")));  // IPv4-compatible is not mapped
}

TEST(IpAllowList, UnixPeersAreAllowed) {
  sockaddr_storage ss{};
  ss.ss_family = AF_UNIX;
  EXPECT_TRUE(IpAllowList().allows(ss));
  EXPECT_FALSE(IpAllowList().allows(v4("127.0.0.1")));
}

TEST(IpAllowList, EmptyEntriesSkipped) {
  auto list = IpAllowList::parse("");
  EXPECT_TRUE(list.empty());
  EXPECT_FALSE(IpAllowList::parse(" 127.0.0.1 , ").empty());
}

TEST(IpAllowList, InvalidEntries) {
  for (const char* bad : {"localhost", "10.0.0.0/33", "10.0.0.1/8", "::1/129", "10.0.0.0/",
                          "10.0.0.0/x", "10.0.0.0/-1", "1.2.3", "::/1.2.3.4", "::1/64", "*x"}) {
    EXPECT_THROW(IpAllowList::parse(bad), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace gf::net
