#include "util/ip_network.hpp"

#include <arpa/inet.h>

#include <bit>
#include <cstring>
#include <string>

namespace gf::util {
namespace {

constexpr bool is_contiguous_mask(uint32_t mask) {
  return (~mask & (~mask + 1)) == 0;
}

// "24": digits only, as ipaddress checks before int(); leading zeros are fine ("024").
std::optional<int> decimal_prefix(std::string_view text, int max_bits) {
  if (text.empty()) return std::nullopt;
  int bits = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    bits = bits * 10 + (c - '0');
    if (bits > max_bits) return std::nullopt;  // also keeps the sum from overflowing
  }
  return bits;
}

// "/255.255.255.0" (a netmask) or "/0.0.0.255" (a hostmask): IPv4 only, as in ipaddress.
std::optional<int> dotted_mask_prefix(std::string_view text) {
  in_addr mask_addr{};
  if (inet_pton(AF_INET, std::string(text).c_str(), &mask_addr) != 1) return std::nullopt;
  const uint32_t mask = ntohl(mask_addr.s_addr);
  if (is_contiguous_mask(mask)) return std::popcount(mask);
  if (is_contiguous_mask(~mask)) return std::popcount(~mask);
  return std::nullopt;
}

std::optional<int> parse_prefix(std::string_view text, bool v6) {
  if (!v6 && text.find('.') != std::string_view::npos) return dotted_mask_prefix(text);
  return decimal_prefix(text, v6 ? 128 : 32);
}

// True when every bit after the first `prefix` bits is zero.
bool host_bits_clear(const IpAddress& address, int prefix) {
  const int total_bits = address.v6 ? 128 : 32;
  for (int bit = prefix; bit < total_bits; ++bit) {
    if (address.bytes[static_cast<size_t>(bit / 8)] & (0x80 >> (bit % 8))) return false;
  }
  return true;
}

}  // namespace

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  const std::string terminated(text);
  IpAddress address;
  if (inet_pton(AF_INET, terminated.c_str(), address.bytes.data()) == 1) return address;
  address.v6 = true;
  if (inet_pton(AF_INET6, terminated.c_str(), address.bytes.data()) == 1) return address;
  return std::nullopt;
}

bool IpNetwork::contains(bool v6, const uint8_t* address) const {
  if (v6 != base.v6) return false;
  const auto full_bytes = static_cast<size_t>(prefix / 8);
  if (std::memcmp(base.bytes.data(), address, full_bytes) != 0) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (base.bytes[full_bytes] & mask) == (address[full_bytes] & mask);
}

std::variant<IpNetwork, IpNetworkError> parse_ip_network(std::string_view text) {
  const size_t slash = text.find('/');
  const auto address = parse_ip_address(text.substr(0, slash));
  if (!address) return IpNetworkError::kNotAnAddress;
  IpNetwork network{*address, address->v6 ? 128 : 32};
  if (slash == std::string_view::npos) return network;
  const auto prefix = parse_prefix(text.substr(slash + 1), address->v6);
  if (!prefix) return IpNetworkError::kInvalidPrefix;
  if (!host_bits_clear(*address, *prefix)) return IpNetworkError::kHostBitsSet;
  network.prefix = *prefix;
  return network;
}

}  // namespace gf::util
