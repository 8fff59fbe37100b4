#include "net/ip_allow_list.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>
#include <stdexcept>

namespace gf::net {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool prefix_equal(const uint8_t* a, const uint8_t* b, int prefix) {
  int full = prefix / 8;
  if (std::memcmp(a, b, static_cast<size_t>(full)) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

bool host_bits_zero(const uint8_t* bytes, int total_bits, int prefix) {
  for (int bit = prefix; bit < total_bits; ++bit) {
    if (bytes[bit / 8] & (0x80 >> (bit % 8))) return false;
  }
  return true;
}

// Writes the 4 or 16 address bytes; returns 4, 16, or 0 when `text` is not a numeric address.
int parse_ip(std::string_view text, uint8_t* out) {
  std::string s(text);
  if (::inet_pton(AF_INET, s.c_str(), out) == 1) return 4;
  if (::inet_pton(AF_INET6, s.c_str(), out) == 1) return 16;
  return 0;
}

// Length of the run of leading one bits, or -1 when the mask is not contiguous.
int leading_ones(uint32_t mask) {
  int n = 0;
  while (n < 32 && (mask & (0x80000000u >> n))) ++n;
  uint32_t expected = n == 0 ? 0 : ~uint32_t{0} << (32 - n);
  return mask == expected ? n : -1;
}

// IPv4 prefixes may also be written as a netmask ("/255.0.0.0") or a hostmask ("/0.0.0.255"),
// as ipaddress.ip_network() accepts (and config/ validates); -1 when neither.
int prefix_from_dotted_mask(std::string_view text) {
  in_addr mask{};
  if (::inet_pton(AF_INET, std::string(text).c_str(), &mask) != 1) return -1;
  uint32_t bits = ntohl(mask.s_addr);
  if (int n = leading_ones(bits); n >= 0) return n;
  if (int n = leading_ones(~bits); n >= 0) return n;
  return -1;
}

int parse_prefix(std::string_view text, int max_bits) {
  if (max_bits == 32 && text.find('.') != std::string_view::npos) {
    return prefix_from_dotted_mask(text);
  }
  int prefix = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), prefix);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return -1;
  return prefix <= max_bits ? prefix : -1;
}

constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};

}  // namespace

IpAllowList IpAllowList::parse(const std::vector<std::string>& entries) {
  IpAllowList list;
  for (const std::string& raw : entries) {
    std::string_view entry = trim(raw);
    if (entry.empty()) continue;
    if (entry == "*") {
      list.allow_all_ = true;
      continue;
    }
    Network net;
    size_t slash = entry.find('/');
    int size = parse_ip(entry.substr(0, slash), net.bytes.data());
    if (size == 0) {
      throw std::invalid_argument(fmt::format("'{}' is not a valid IP address or network", entry));
    }
    net.v6 = size == 16;
    const int bits = size * 8;
    net.prefix = bits;
    if (slash != std::string_view::npos) {
      net.prefix = parse_prefix(entry.substr(slash + 1), bits);
      if (net.prefix < 0) {
        throw std::invalid_argument(fmt::format("'{}' has an invalid network prefix", entry));
      }
      if (!host_bits_zero(net.bytes.data(), bits, net.prefix)) {
        throw std::invalid_argument(fmt::format("'{}' has host bits set", entry));
      }
    }
    list.networks_.push_back(net);
  }
  return list;
}

IpAllowList IpAllowList::parse(std::string_view comma_separated) {
  std::vector<std::string> entries;
  while (true) {
    size_t comma = comma_separated.find(',');
    entries.emplace_back(comma_separated.substr(0, comma));
    if (comma == std::string_view::npos) break;
    comma_separated.remove_prefix(comma + 1);
  }
  return parse(entries);
}

bool IpAllowList::matches(bool v6, const uint8_t* bytes) const {
  if (allow_all_) return true;
  for (const Network& net : networks_) {
    if (net.v6 == v6 && prefix_equal(net.bytes.data(), bytes, net.prefix)) return true;
  }
  // ::ffff:a.b.c.d is an IPv4 client on a dual-stack socket: give it the IPv4 rules too.
  if (v6 && std::memcmp(bytes, kMappedPrefix, sizeof kMappedPrefix) == 0) {
    return matches(false, bytes + 12);
  }
  return false;
}

bool IpAllowList::allows(const sockaddr* peer) const {
  switch (peer->sa_family) {
    case AF_UNIX:
      return true;
    case AF_INET: {
      const auto* in = reinterpret_cast<const sockaddr_in*>(peer);
      return matches(false, reinterpret_cast<const uint8_t*>(&in->sin_addr));
    }
    case AF_INET6: {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(peer);
      return matches(true, in6->sin6_addr.s6_addr);
    }
    default:
      return false;
  }
}

bool IpAllowList::allows(const sockaddr_storage& peer) const {
  return allows(reinterpret_cast<const sockaddr*>(&peer));
}

bool IpAllowList::allows(std::string_view ip) const {
  uint8_t bytes[16];
  int size = parse_ip(ip, bytes);
  if (size == 0) return allow_all_;
  return matches(size == 16, bytes);
}

}  // namespace gf::net
