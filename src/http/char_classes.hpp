// Byte classes of RFC 9110/9112 used by the request parser and the response validator.
// Table lookups, so no per-byte branches on the hot path.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "util/ascii.hpp"

namespace gf::http::chars {

namespace detail {
constexpr std::array<bool, 256> make_token_table() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kToken = make_token_table();
}  // namespace detail

inline bool is_token_char(char c) {
  return detail::kToken[static_cast<unsigned char>(c)];
}

inline bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_token_char(c)) return false;
  return true;
}

// Gunicorn rejects these in request header values: CTLs except HTAB, and DEL.
inline bool is_forbidden_in_field_value(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && u != '\t') || u == 0x7f;
}

inline bool is_sp_or_htab(char c) {
  return c == ' ' || c == '\t';
}

inline std::string_view strip_sp_htab(std::string_view s) {
  while (!s.empty() && is_sp_or_htab(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_sp_or_htab(s.back())) s.remove_suffix(1);
  return s;
}

constexpr auto to_upper = util::ascii_upper;
constexpr auto to_lower = util::ascii_lower;
using util::iequals;

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace gf::http::chars
