#include "http/proxy_protocol.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <string>

#include "util/python_repr.hpp"

namespace gf::http {

namespace {

using Status = ProxyHeaderResult::Status;

RequestError invalid_line(std::string_view text) {
  return RequestError(400, "InvalidProxyLine",
                      "Invalid PROXY line: " + util::python_repr_latin1(text));
}

RequestError invalid_header(const std::string& why) {
  return RequestError(500, "InvalidProxyHeader", "Invalid PROXY header: " + why);
}

void check_peer_allowed(const PeerInfo& peer) {
  if (peer.is_unix || peer.proxy_allowed) return;
  throw RequestError(403, "ForbiddenProxyRequest",
                     "Proxy request from " + util::python_repr_latin1(peer.addr) + " not allowed");
}

bool valid_address(int family, const std::string& text) {
  std::array<unsigned char, 16> out{};
  return inet_pton(family, text.c_str(), out.data()) == 1;
}

// Python int(): optional surrounding whitespace, optional sign, decimal digits (underscores
// between digits allowed). Good enough for a port field that was split on single spaces.
bool parse_port(std::string_view s, int& port) {
  while (!s.empty() && (s.front() == '\t' || s.front() == '\v' || s.front() == '\f'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == '\t' || s.back() == '\v' || s.back() == '\f'))
    s.remove_suffix(1);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.front() == '_' || s.back() == '_') return false;
  long value = 0;
  bool last_underscore = false;
  for (char c : s) {
    if (c == '_') {
      if (last_underscore) return false;
      last_underscore = true;
      continue;
    }
    last_underscore = false;
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
    if (value > 1'000'000) value = 1'000'000;  // out of range anyway; avoid overflow
  }
  port = static_cast<int>(negative ? -value : value);
  return true;
}

ProxyHeaderResult parse_v1(std::string_view data) {
  size_t end = data.find("\r\n");
  if (end == std::string_view::npos) {
    if (data.size() >= kProxyV1MaxLine) throw invalid_line(data.substr(0, kProxyV1MaxLine));
    return {};
  }
  if (end + 2 > kProxyV1MaxLine) throw invalid_line(data.substr(0, end));
  std::string_view line = data.substr(0, end);

  std::array<std::string_view, 6> bits;
  size_t count = 0;
  size_t start = 0;
  while (true) {
    size_t space = line.find(' ', start);
    std::string_view bit =
        line.substr(start, space == std::string_view::npos ? line.npos : space - start);
    if (count == bits.size()) throw invalid_line(line);
    bits[count++] = bit;
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  if (count != 6) throw invalid_line(line);

  std::string_view proto = bits[1];
  if (proto != "TCP4" && proto != "TCP6")
    throw invalid_line("protocol '" + std::string(proto) + "' not supported");
  int family = proto == "TCP4" ? AF_INET : AF_INET6;
  std::string source(bits[2]);
  std::string dest(bits[3]);
  if (!valid_address(family, source) || !valid_address(family, dest)) throw invalid_line(line);

  int source_port = 0;
  int dest_port = 0;
  if (!parse_port(bits[4], source_port) || !parse_port(bits[5], dest_port) || source_port < 0 ||
      source_port > 65535 || dest_port < 0 || dest_port > 65535)
    throw invalid_line("invalid port " + std::string(line));

  ProxyHeaderResult result;
  result.status = Status::kParsed;
  result.consumed = end + 2;
  result.info.protocol = std::string(proto);
  result.info.client_addr = std::move(source);
  result.info.client_port = source_port;
  result.info.proxy_addr = std::move(dest);
  result.info.proxy_port = dest_port;
  return result;
}

uint16_t read_be16(std::string_view data, size_t at) {
  return static_cast<uint16_t>((static_cast<unsigned char>(data[at]) << 8) |
                               static_cast<unsigned char>(data[at + 1]));
}

std::string format_address(int family, std::string_view raw) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, raw.data(), text, sizeof text);
  return text;
}

ProxyHeaderResult parse_v2(std::string_view data) {
  if (data.size() < 16) return {};
  auto version_command = static_cast<unsigned char>(data[12]);
  auto family_protocol = static_cast<unsigned char>(data[13]);
  size_t length = read_be16(data, 14);
  int version = version_command >> 4;
  int command = version_command & 0x0f;
  if (version != 2) throw invalid_header("unsupported version " + std::to_string(version));
  if (command > 1) throw invalid_header("unsupported command " + std::to_string(command));
  if (data.size() < 16 + length) return {};

  ProxyHeaderResult result;
  result.status = Status::kParsed;
  result.consumed = 16 + length;
  if (command == 0) {  // LOCAL: the proxy talks for itself (health checks)
    result.info.protocol = "LOCAL";
    return result;
  }
  int family = family_protocol >> 4;
  int transport = family_protocol & 0x0f;
  if (transport != 1) throw invalid_header("only TCP protocol is supported");
  std::string_view addresses = data.substr(16, length);
  if (family == 1 || family == 2) {
    const bool v4 = family == 1;
    // Source and destination address, then source and destination port.
    const size_t address_size = v4 ? 4 : 16;
    if (length < 2 * address_size + 4)
      throw invalid_header(v4 ? "insufficient address data for IPv4"
                              : "insufficient address data for IPv6");
    const int af = v4 ? AF_INET : AF_INET6;
    result.info.protocol = v4 ? "TCP4" : "TCP6";
    result.info.client_addr = format_address(af, addresses.substr(0, address_size));
    result.info.proxy_addr = format_address(af, addresses.substr(address_size, address_size));
    result.info.client_port = read_be16(addresses, 2 * address_size);
    result.info.proxy_port = read_be16(addresses, 2 * address_size + 2);
  } else if (family == 0) {
    result.info.protocol = "UNSPEC";
  } else {
    throw invalid_header("unsupported address family " + std::to_string(family));
  }
  return result;
}

}  // namespace

ProxyHeaderResult parse_proxy_header(std::string_view data, ProxyProtocol mode,
                                     const PeerInfo& peer) {
  ProxyHeaderResult not_proxy;
  not_proxy.status = Status::kNotProxy;
  if (mode == ProxyProtocol::kOff) return not_proxy;
  // Gunicorn decides only once 12 bytes are in; no valid request is shorter than that.
  if (data.size() < kProxyV2Signature.size()) return {};
  bool v2_enabled = mode == ProxyProtocol::kV2 || mode == ProxyProtocol::kAuto;
  bool v1_enabled = mode == ProxyProtocol::kV1 || mode == ProxyProtocol::kAuto;
  if (v2_enabled && data.substr(0, 12) == kProxyV2Signature) {
    check_peer_allowed(peer);
    return parse_v2(data);
  }
  if (v1_enabled && data.substr(0, 6) == "PROXY ") {
    check_peer_allowed(peer);
    return parse_v1(data);
  }
  return not_proxy;
}

}  // namespace gf::http
