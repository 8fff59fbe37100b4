#include "net/ip_allow_list.hpp"

#include <fmt/format.h>
#include <netinet/in.h>

#include <cstring>
#include <stdexcept>

namespace gf::net {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string entry_error(std::string_view entry, util::IpNetworkError error) {
  switch (error) {
    case util::IpNetworkError::kInvalidPrefix:
      return fmt::format("'{}' has an invalid network prefix", entry);
    case util::IpNetworkError::kHostBitsSet:
      return fmt::format("'{}' has host bits set", entry);
    case util::IpNetworkError::kNotAnAddress:
      break;
  }
  return fmt::format("'{}' is not a valid IP address or network", entry);
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
    auto parsed = util::parse_ip_network(entry);
    if (const auto* error = std::get_if<util::IpNetworkError>(&parsed)) {
      throw std::invalid_argument(entry_error(entry, *error));
    }
    list.networks_.push_back(std::get<util::IpNetwork>(parsed));
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
  for (const util::IpNetwork& network : networks_) {
    if (network.contains(v6, bytes)) return true;
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
  const auto address = util::parse_ip_address(ip);
  if (!address) return allow_all_;
  return matches(address->v6, address->bytes.data());
}

}  // namespace gf::net
