// Gunicorn's validators (reference §2 "How values are parsed") over the settings table: a raw
// string from the command line, or a typed value from a config file, becomes a setting's Value.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "config/settings_table.hpp"
#include "config/value.hpp"

namespace gf::config {

// A value a validator refused. what() says what was expected ("expected a positive integer");
// callers add which setting or flag and the offending text.
class InvalidValue : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What `spec` accepts, in the words of an error message: "expected a positive integer".
std::string expected_text(const SettingSpec& spec);

// A raw string (CLI flag value, GUNICORN_CMD_ARGS, env var). Throws InvalidValue.
Value parse_value(const SettingSpec& spec, std::string_view raw);

// An already typed value (from a config file or code). A string is read like a raw value; other
// shapes must match the setting's type. Throws InvalidValue.
Value validate_value(const SettingSpec& spec, const Value& value);

}  // namespace gf::config
