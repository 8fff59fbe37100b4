#include "config/python_int.hpp"

#include <cctype>
#include <limits>

#include "config/text.hpp"

namespace gf::config {
namespace {

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// Digits of `base`, single underscores allowed between digits (and, after a prefix, before the
// first digit, as Python allows "0x_1f").
std::optional<uint64_t> parse_digits(std::string_view digits, int base, bool underscore_first_ok) {
  if (digits.empty()) return std::nullopt;
  uint64_t value = 0;
  bool previous_was_digit = underscore_first_ok;
  bool any_digit = false;
  for (char c : digits) {
    if (c == '_') {
      if (!previous_was_digit) return std::nullopt;
      previous_was_digit = false;
      continue;
    }
    const int d = digit_value(c);
    if (d >= base) return std::nullopt;
    if (value > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(d)) /
                    static_cast<uint64_t>(base)) {
      return std::nullopt;
    }
    value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    previous_was_digit = true;
    any_digit = true;
  }
  if (!previous_was_digit || !any_digit) return std::nullopt;
  return value;
}

bool all_zero_digits(std::string_view digits) {
  return digits.find_first_not_of("0_") == std::string_view::npos;
}

}  // namespace

std::optional<int64_t> parse_python_int(std::string_view text, int base) {
  text = strip(text);
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  bool had_prefix = false;
  if (text.size() >= 2 && text[0] == '0') {
    const char p = static_cast<char>(std::tolower(static_cast<unsigned char>(text[1])));
    const int prefix_base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
    if (prefix_base != 0 && (base == 0 || base == prefix_base)) {
      base = prefix_base;
      had_prefix = true;
      text.remove_prefix(2);
    }
  }
  if (base == 0) {
    base = 10;
    // Python refuses leading zeros in base 0 ("007"), except for zero itself.
    if (text.size() > 1 && text[0] == '0' && !all_zero_digits(text)) return std::nullopt;
  }
  const auto magnitude = parse_digits(text, base, had_prefix);
  if (!magnitude) return std::nullopt;
  const auto limit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (*magnitude > limit + (negative ? 1 : 0)) return std::nullopt;
  if (negative) return static_cast<int64_t>(0 - *magnitude);
  return static_cast<int64_t>(*magnitude);
}

std::optional<int64_t> parse_octal_friendly_int(std::string_view text) {
  if (text.size() >= 2 && text[0] == '0' && std::isdigit(static_cast<unsigned char>(text[1]))) {
    return parse_python_int(text.substr(1), 8);
  }
  return parse_python_int(text, 0);
}

}  // namespace gf::config
