#include "config/config.hpp"

#include <fmt/format.h>

#include "config/python_repr.hpp"
#include "config/settings_table.hpp"
#include "config/value_parser.hpp"

namespace gf::config {
namespace {

const SettingSpec& known_setting(std::string_view name) {
  const SettingSpec* spec = find_setting(name);
  if (spec == nullptr) throw ConfigError(fmt::format("No configuration setting for: {}", name));
  return *spec;
}

// The stored T; a value of another shape is a bug (the table's validators rule it out).
template <class T>
const T& stored(const Value& value, std::string_view name, std::string_view wanted) {
  if (const auto* typed = std::get_if<T>(&value)) return *typed;
  throw std::logic_error(fmt::format("setting '{}' is not {}", name, wanted));
}

// The same for settings that may be None.
template <class T>
std::optional<T> stored_or_none(const Value& value, std::string_view name,
                                std::string_view wanted) {
  if (std::holds_alternative<std::monostate>(value)) return std::nullopt;
  return stored<T>(value, name, wanted);
}

}  // namespace

Config::Config() {
  for (const SettingSpec& spec : settings_table()) {
    values_.emplace(std::string(spec.name), default_value(spec));
    explicit_.emplace(std::string(spec.name), false);
  }
}

void Config::set(std::string_view name, std::string_view raw) {
  // A string goes through validate_value as through parse_value, and python_repr of it is
  // the text's repr: one path for both, errors included.
  set_value(name, Value(std::string(raw)));
}

void Config::set_value(std::string_view name, Value value) {
  const SettingSpec& spec = known_setting(name);
  try {
    values_.find(name)->second = validate_value(spec, value);
  } catch (const InvalidValue& e) {
    throw ConfigError(
        fmt::format("Invalid value for {}: {} ({})", name, python_repr(value), e.what()));
  }
  explicit_.find(name)->second = true;
}

const Value& Config::get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::out_of_range(fmt::format("unknown setting '{}'", name));
  return it->second;
}

bool Config::get(SettingKey<bool> key) const {
  return stored<bool>(get(key.name), key.name, "a bool");
}

std::optional<bool> Config::get(SettingKey<std::optional<bool>> key) const {
  return stored_or_none<bool>(get(key.name), key.name, "a bool");
}

int64_t Config::get(SettingKey<int64_t> key) const {
  return stored<int64_t>(get(key.name), key.name, "an integer");
}

std::string Config::get(SettingKey<std::string> key) const {
  return stored_or_none<std::string>(get(key.name), key.name, "a string").value_or("");
}

std::optional<std::string> Config::get(SettingKey<std::optional<std::string>> key) const {
  return stored_or_none<std::string>(get(key.name), key.name, "a string");
}

StringList Config::get(SettingKey<StringList> key) const {
  return stored<StringList>(get(key.name), key.name, "a list");
}

StringMap Config::get(SettingKey<StringMap> key) const {
  return stored<StringMap>(get(key.name), key.name, "a map");
}

bool Config::is_set_explicitly(std::string_view name) const {
  auto it = explicit_.find(name);
  if (it == explicit_.end()) throw std::out_of_range(fmt::format("unknown setting '{}'", name));
  return it->second;
}

}  // namespace gf::config
