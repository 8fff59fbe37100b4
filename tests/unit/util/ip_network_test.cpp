// The one IP network parser (Python's ipaddress.ip_network, strict): what config/ accepts for
// forwarded_allow_ips / proxy_allow_ips and what net::IpAllowList matches against.
#include "util/ip_network.hpp"

#include <gtest/gtest.h>

namespace gf::util {
namespace {

bool is_ip_network(std::string_view text) {
  return std::holds_alternative<IpNetwork>(parse_ip_network(text));
}

TEST(IpNetwork, StrictNetworks) {
  for (const char* good :
       {"127.0.0.1", "10.0.0.0/8", "0.0.0.0/0", "10.0.0.0/255.0.0.0", "10.0.0.0/0.255.255.255",
        "::1", "fd00::/8", "::/0", "1.2.3.4/32", "10.0.0.0/024"}) {
    EXPECT_TRUE(is_ip_network(good)) << good;
  }
  for (const char* bad : {"", "*", "1.2.3", "01.2.3.4", "1.2.3.4/33", "10.0.0.1/8", "fd00::1/8",
                          "::1/129", "1.2.3.4/", "1.2.3.4/x", "10.0.0.0/255.0.255.0", "10.0.0.0/-0",
                          "10.0.0.0/+8", "::/1.2.3.4", " 10.0.0.1", "fe80::1%eth0"}) {
    EXPECT_FALSE(is_ip_network(bad)) << bad;
  }
}

TEST(IpNetwork, SaysWhatIsWrong) {
  EXPECT_EQ(std::get<IpNetworkError>(parse_ip_network("localhost")), IpNetworkError::kNotAnAddress);
  EXPECT_EQ(std::get<IpNetworkError>(parse_ip_network("10.0.0.0/33")),
            IpNetworkError::kInvalidPrefix);
  EXPECT_EQ(std::get<IpNetworkError>(parse_ip_network("10.0.0.1/8")), IpNetworkError::kHostBitsSet);
}

TEST(IpNetwork, PrefixesFromMasks) {
  EXPECT_EQ(std::get<IpNetwork>(parse_ip_network("10.0.0.0/255.255.0.0")).prefix, 16);
  EXPECT_EQ(std::get<IpNetwork>(parse_ip_network("10.0.0.0/0.0.255.255")).prefix, 16);
  EXPECT_EQ(std::get<IpNetwork>(parse_ip_network("10.0.0.1")).prefix, 32);
  EXPECT_EQ(std::get<IpNetwork>(parse_ip_network("::1")).prefix, 128);
}

TEST(IpNetwork, Contains) {
  const auto network = std::get<IpNetwork>(parse_ip_network("192.168.0.0/23"));
  const auto inside = parse_ip_address("192.168.1.200");
  const auto outside = parse_ip_address("192.168.2.1");
  const auto v6 = parse_ip_address("::1");
  ASSERT_TRUE(inside && outside && v6);
  EXPECT_TRUE(network.contains(false, inside->bytes.data()));
  EXPECT_FALSE(network.contains(false, outside->bytes.data()));
  EXPECT_FALSE(network.contains(true, v6->bytes.data()));
  const auto everything = std::get<IpNetwork>(parse_ip_network("::/0"));
  EXPECT_TRUE(everything.contains(true, v6->bytes.data()));
}

}  // namespace
}  // namespace gf::util
