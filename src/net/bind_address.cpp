#include "net/bind_address.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>
#include <stdexcept>

namespace gf::net {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Digits only: Python's int() would also take "+80" or " 80", which no one means in a bind.
uint16_t parse_port(std::string_view text, std::string_view whole) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw std::invalid_argument(
        fmt::format("'{}' is not a valid port number in bind address '{}'.", text, whole));
  }
  if (value > 65535) {
    throw std::invalid_argument(
        fmt::format("port {} out of range 0-65535 in bind address '{}'.", value, whole));
  }
  return static_cast<uint16_t>(value);
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

BindAddress parse_unix(std::string_view text, std::string_view path) {
  if (path.empty()) {
    throw std::invalid_argument(fmt::format("bind address '{}' has an empty unix path.", text));
  }
  BindAddress a;
  a.kind = BindAddress::Kind::kUnix;
  a.path = std::string(path);
  return a;
}

BindAddress parse_fd(std::string_view text) {
  std::string_view digits = text.substr(5);
  int fd = -1;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), fd);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || fd < 0) {
    throw std::invalid_argument(fmt::format("'{}' is not a valid file descriptor.", digits));
  }
  BindAddress a;
  a.kind = BindAddress::Kind::kFd;
  a.fd = fd;
  return a;
}

BindAddress parse_tcp(std::string_view whole, std::string_view netloc) {
  BindAddress a;
  a.kind = BindAddress::Kind::kTcp;
  std::string_view host = netloc;
  std::string_view port;
  bool has_port = false;
  if (!netloc.empty() && netloc.front() == '[') {
    size_t close = netloc.find(']');
    if (close == std::string_view::npos) {
      throw std::invalid_argument(fmt::format("bind address '{}' lacks a closing ']'.", whole));
    }
    host = netloc.substr(1, close - 1);
    std::string_view rest = netloc.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        throw std::invalid_argument(
            fmt::format("unexpected '{}' after ']' in bind address '{}'.", rest, whole));
      }
      port = rest.substr(1);
      has_port = true;
    }
    // Gunicorn would hand "[name]" to TCPSocket; only a literal makes sense in brackets.
    in6_addr probe{};
    std::string literal(host.substr(0, host.find('%')));  // allow a scope id: fe80::1%eth0
    if (::inet_pton(AF_INET6, literal.c_str(), &probe) != 1) {
      throw std::invalid_argument(
          fmt::format("'{}' in bind address '{}' is not an IPv6 address.", host, whole));
    }
  } else if (size_t colon = netloc.find(':'); colon != std::string_view::npos) {
    if (netloc.find(':', colon + 1) != std::string_view::npos) {
      throw std::invalid_argument(fmt::format(
          "bind address '{}' has more than one ':'; write IPv6 addresses as [addr]:port.", whole));
    }
    host = netloc.substr(0, colon);
    port = netloc.substr(colon + 1);
    has_port = true;
  }
  a.host = host.empty() ? std::string("0.0.0.0") : lowercase(host);
  a.port = has_port ? parse_port(port, whole) : BindAddress::kDefaultPort;
  return a;
}

}  // namespace

BindAddress BindAddress::parse(std::string_view text) {
  if (starts_with(text, "unix://")) return parse_unix(text, text.substr(7));
  if (starts_with(text, "unix:")) return parse_unix(text, text.substr(5));
  if (starts_with(text, "fd://")) return parse_fd(text);
  std::string_view netloc = text;
  if (starts_with(netloc, "tcp://")) netloc.remove_prefix(6);
  return parse_tcp(text, netloc);
}

bool BindAddress::is_ipv6() const {
  return kind == Kind::kTcp && host.find(':') != std::string::npos;
}

std::string BindAddress::url() const {
  switch (kind) {
    case Kind::kUnix:
      return "unix:" + path;
    case Kind::kFd:
      return fmt::format("fd://{}", fd);
    case Kind::kTcp:
      break;
  }
  if (is_ipv6()) return fmt::format("http://[{}]:{}", host, port);
  return fmt::format("http://{}:{}", host, port);
}

std::string BindAddress::describe() const {
  switch (kind) {
    case Kind::kUnix:
      return path;
    case Kind::kFd:
      return std::to_string(fd);
    case Kind::kTcp:
      break;
  }
  return fmt::format("('{}', {})", host, port);
}

bool operator==(const BindAddress& a, const BindAddress& b) {
  return a.kind == b.kind && a.host == b.host && a.port == b.port && a.path == b.path &&
         a.fd == b.fd;
}

}  // namespace gf::net
