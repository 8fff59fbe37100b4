// Kept apart from the parser so that only this file needs gf_config to link.
#include <algorithm>
#include <string>

#include "config/config.hpp"
#include "http/char_classes.hpp"
#include "http/parser_options.hpp"

namespace gf::http {

namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), chars::to_upper);
  return s;
}

// Negative values mean "fall back" in Gunicorn; 0 keeps its own meaning per setting.
size_t non_negative(int64_t v, size_t fallback) {
  return v < 0 ? fallback : static_cast<size_t>(v);
}

HeaderMap header_map_from(const std::string& s) {
  if (s == "refuse") return HeaderMap::kRefuse;
  if (s == "dangerous") return HeaderMap::kDangerous;
  return HeaderMap::kDrop;
}

ProxyProtocol proxy_protocol_from(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), chars::to_lower);
  if (s == "v1") return ProxyProtocol::kV1;
  if (s == "v2") return ProxyProtocol::kV2;
  if (s == "auto" || s == "true" || s == "1" || s == "yes" || s == "on")
    return ProxyProtocol::kAuto;
  return ProxyProtocol::kOff;  // "off", "false", "0", "none", ""
}

}  // namespace

ParserOptions ParserOptions::from_config(const config::Config& cfg) {
  ParserOptions o;
  o.limit_request_line = non_negative(cfg.get(config::settings::limit_request_line), 8190);
  o.limit_request_fields = non_negative(cfg.get(config::settings::limit_request_fields), 0);
  o.limit_request_field_size = non_negative(cfg.get(config::settings::limit_request_field_size), 0);
  o.limit_request_body = static_cast<uint64_t>(cfg.get(config::settings::limit_request_body));
  o.header_map = header_map_from(cfg.get(config::settings::header_map));
  o.forwarder_headers.clear();
  for (auto& name : cfg.get(config::settings::forwarder_headers))
    o.forwarder_headers.push_back(upper(name));
  o.secure_scheme_headers.clear();
  for (auto& [name, value] : cfg.get(config::settings::secure_scheme_headers))
    o.secure_scheme_headers.emplace_back(upper(name), value);
  // Gunicorn also accepts true/false here: the settings table maps them to "auto"/"off".
  o.proxy_protocol = proxy_protocol_from(cfg.get(config::settings::proxy_protocol));
  o.permit_obsolete_folding = cfg.get(config::settings::permit_obsolete_folding);
  o.strip_header_spaces = cfg.get(config::settings::strip_header_spaces);
  o.permit_unconventional_http_method =
      cfg.get(config::settings::permit_unconventional_http_method);
  o.permit_unconventional_http_version =
      cfg.get(config::settings::permit_unconventional_http_version);
  o.casefold_http_method = cfg.get(config::settings::casefold_http_method);
  return o;
}

}  // namespace gf::http
