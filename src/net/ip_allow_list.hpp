// Which peers may send trusted metadata (forwarded_allow_ips, proxy_allow_ips,
// uwsgi_allow_ips): a parsed list of IPs, CIDR networks or "*", matched per connection.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/ip_network.hpp"

namespace gf::net {

class IpAllowList {
 public:
  IpAllowList() = default;  // allows nothing (but UNIX peers, see allows())
  // Same as parse(entries): straight from config::StringList.
  explicit IpAllowList(const std::vector<std::string>& entries) : IpAllowList(parse(entries)) {}

  // Entries like Gunicorn's: "127.0.0.1", "::1", "10.0.0.0/8", "10.0.0.0/255.0.0.0",
  // "2001:db8::/32", "*".
  // Networks are strict like ipaddress.ip_network() (util::parse_ip_network, which config/
  // validates the settings with): host bits must be zero. Surrounding
  // blanks are ignored, empty entries skipped. Throws std::invalid_argument naming the entry.
  static IpAllowList parse(const std::vector<std::string>& entries);
  // The same from one comma-separated string ("127.0.0.1,::1").
  static IpAllowList parse(std::string_view comma_separated);

  // UNIX-socket peers are always allowed (Gunicorn trusts them for all three settings).
  // An IPv4-mapped IPv6 peer (::ffff:a.b.c.d) also matches IPv4 entries.
  bool allows(const sockaddr_storage& peer) const;
  bool allows(const sockaddr* peer) const;
  // A numeric address as text; false when it is not one (unless the list has "*").
  bool allows(std::string_view ip) const;

  bool allows_all() const { return allow_all_; }
  bool empty() const { return !allow_all_ && networks_.empty(); }

 private:
  bool matches(bool v6, const uint8_t* bytes) const;

  bool allow_all_ = false;
  std::vector<util::IpNetwork> networks_;
};

}  // namespace gf::net
