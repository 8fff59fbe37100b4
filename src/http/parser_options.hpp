// The settings that shape request parsing (reference §6), read once from the Config so the
// parser never looks settings up by name on the hot path.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gf::config {
class Config;
}

namespace gf::http {

enum class HeaderMap { kDrop, kRefuse, kDangerous };
enum class ProxyProtocol { kOff, kV1, kV2, kAuto };

struct ParserOptions {
  size_t limit_request_line = 4094;        // 0 = unlimited; clamped to 8190 like Gunicorn
  size_t limit_request_fields = 100;       // <=0 or >32768 -> 32768
  size_t limit_request_field_size = 8190;  // <=0 -> 8190
  uint64_t limit_request_body = 0;         // 0 = unlimited
  HeaderMap header_map = HeaderMap::kDrop;
  std::vector<std::string> forwarder_headers = {"SCRIPT_NAME", "PATH_INFO"};  // upper-cased
  // Upper-cased header name -> value that means https.
  std::vector<std::pair<std::string, std::string>> secure_scheme_headers = {
      {"X-FORWARDED-PROTOCOL", "ssl"}, {"X-FORWARDED-PROTO", "https"}, {"X-FORWARDED-SSL", "on"}};
  ProxyProtocol proxy_protocol = ProxyProtocol::kOff;
  bool permit_obsolete_folding = false;
  bool strip_header_spaces = false;
  bool permit_unconventional_http_method = false;
  bool permit_unconventional_http_version = false;
  bool casefold_http_method = false;

  static ParserOptions from_config(const config::Config& cfg);
};

// Who is on the other end of the connection, as far as trust goes. The worker decides trust
// from forwarded_allow_ips / proxy_allow_ips (UNIX-socket peers are always trusted).
struct PeerInfo {
  bool is_unix = false;
  std::string addr;  // "" for UNIX sockets
  int port = 0;
  bool trusted_forwarder = true;  // may set secure_scheme_headers / forwarder_headers
  bool proxy_allowed = true;      // may send a PROXY protocol header
  bool is_tls = false;            // wsgi.url_scheme starts as "https"
};

}  // namespace gf::http
