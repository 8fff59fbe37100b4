// Integer text as Python's int(text, base) reads it (base 0 detects 0x/0o/0b prefixes, allows
// underscores between digits, rejects "007"), so values are accepted exactly where Gunicorn's are.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace gf::config {

// base is 0 (auto-detect), 2, 8, 10 or 16. nullopt when Python would raise ValueError or the
// value does not fit in int64_t.
std::optional<int64_t> parse_python_int(std::string_view text, int base = 0);

// Gunicorn's `auto_int` for umask: a leading "0" followed by a digit means octal ("0022").
std::optional<int64_t> parse_octal_friendly_int(std::string_view text);

}  // namespace gf::config
