// Validation of the entries of forwarded_allow_ips / proxy_allow_ips: what Python's
// ipaddress.ip_network(entry) (strict) accepts, so a typo fails at start-up, not per request.
#pragma once

#include <string_view>

namespace gf::config {

// "10.0.0.1", "10.0.0.0/8", "10.0.0.0/255.0.0.0", "::1", "fd00::/8". Host bits set under the
// prefix ("10.0.0.1/8") are rejected, as strict mode does.
bool is_ip_network(std::string_view text);

}  // namespace gf::config
