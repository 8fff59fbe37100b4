// IP addresses and networks read the way Python's ipaddress.ip_network(text) (strict) reads
// them: one parser for the allow lists, validated by config/ and matched per peer by net/.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

namespace gf::util {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // network byte order; only the first 4 for IPv4
};

// "10.0.0.1", "::1" (what inet_pton takes: no leading zeros, no scope id); nullopt otherwise.
std::optional<IpAddress> parse_ip_address(std::string_view text);

struct IpNetwork {
  IpAddress base;  // every bit after the prefix is zero
  int prefix = 0;  // 0..32 or 0..128

  // `address` points at 4 bytes (IPv4) or 16 (IPv6), as in a sockaddr: no copy per peer.
  bool contains(bool v6, const uint8_t* address) const;
};

enum class IpNetworkError { kNotAnAddress, kInvalidPrefix, kHostBitsSet };

// "10.0.0.1" (a /32), "10.0.0.0/8", "10.0.0.0/255.0.0.0" or its hostmask "10.0.0.0/0.255.255.255"
// (IPv4 only), "::1", "fd00::/8". The prefix is decimal digits only. Host bits set under the
// prefix ("10.0.0.1/8") are an error, as in strict mode. No blanks are trimmed.
std::variant<IpNetwork, IpNetworkError> parse_ip_network(std::string_view text);

}  // namespace gf::util
