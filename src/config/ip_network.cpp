#include "config/ip_network.hpp"

#include <arpa/inet.h>

#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>

#include "config/python_int.hpp"

namespace gf::config {
namespace {

constexpr bool is_contiguous_mask(uint32_t mask) {
  return (~mask & (~mask + 1)) == 0;
}

// The prefix length for "/24", or for an IPv4 netmask ("/255.255.255.0") or hostmask.
std::optional<int> ipv4_prefix(std::string_view text) {
  if (text.find('.') == std::string_view::npos) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    const auto bits = parse_python_int(text, 10);
    if (!bits || *bits > 32) return std::nullopt;
    return static_cast<int>(*bits);
  }
  in_addr mask_addr{};
  if (inet_pton(AF_INET, std::string(text).c_str(), &mask_addr) != 1) return std::nullopt;
  const uint32_t mask = ntohl(mask_addr.s_addr);
  if (is_contiguous_mask(mask)) return std::popcount(mask);
  if (is_contiguous_mask(~mask)) return std::popcount(~mask);
  return std::nullopt;
}

std::optional<int> ipv6_prefix(std::string_view text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  const auto bits = parse_python_int(text, 10);
  if (!bits || *bits > 128) return std::nullopt;
  return static_cast<int>(*bits);
}

// True when every bit after the first `prefix` bits is zero.
bool host_bits_clear(const unsigned char* bytes, size_t size, int prefix) {
  for (size_t i = 0; i < size; ++i) {
    const int first_bit = static_cast<int>(i) * 8;
    if (first_bit + 8 <= prefix) continue;
    const int keep = prefix > first_bit ? prefix - first_bit : 0;
    const auto host_mask = static_cast<unsigned char>(0xFFu >> keep);
    if ((bytes[i] & host_mask) != 0) return false;
  }
  return true;
}

}  // namespace

bool is_ip_network(std::string_view text) {
  const auto slash = text.find('/');
  const std::string address(text.substr(0, slash));
  const bool has_prefix = slash != std::string_view::npos;
  const std::string_view prefix_text = has_prefix ? text.substr(slash + 1) : std::string_view{};

  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET, address.c_str(), bytes.data()) == 1) {
    if (!has_prefix) return true;
    const auto prefix = ipv4_prefix(prefix_text);
    return prefix && host_bits_clear(bytes.data(), 4, *prefix);
  }
  if (inet_pton(AF_INET6, address.c_str(), bytes.data()) == 1) {
    if (!has_prefix) return true;
    const auto prefix = ipv6_prefix(prefix_text);
    return prefix && host_bits_clear(bytes.data(), 16, *prefix);
  }
  return false;
}

}  // namespace gf::config
