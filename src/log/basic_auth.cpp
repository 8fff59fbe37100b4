#include "log/basic_auth.hpp"

#include <array>
#include <cstdint>

namespace gf::log {
namespace {

constexpr std::array<int8_t, 256> make_decode_table() {
  std::array<int8_t, 256> table{};
  table.fill(-1);
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  return table;
}

constexpr auto kDecode = make_decode_table();

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool starts_with_basic(std::string_view s) {
  constexpr std::string_view kBasic = "basic";
  if (s.size() < kBasic.size()) return false;
  for (size_t i = 0; i < kBasic.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kBasic[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;  // no byte count encodes to 4n+1 symbols
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t bits = 0;
  int nbits = 0;
  for (char c : text) {
    int8_t v = kDecode[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out.push_back(static_cast<char>((bits >> nbits) & 0xFF));
    }
  }
  return out;
}

std::optional<std::string> basic_auth_user(std::string_view authorization) {
  // Same shape as Gunicorn's _get_user: a "basic" prefix, then everything after the first
  // space is base64 of "user:password".
  if (!starts_with_basic(authorization)) return std::nullopt;
  size_t space = authorization.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::optional<std::string> decoded = base64_decode(trim(authorization.substr(space + 1)));
  if (!decoded) return std::nullopt;
  std::string user = decoded->substr(0, decoded->find(':'));
  if (user.empty()) return std::nullopt;
  return user;
}

}  // namespace gf::log
