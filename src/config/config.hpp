// The resolved configuration: one value per setting of the settings table, addressed by the
// setting's Gunicorn name ("workers", "bind", ...). Layers read what they need once at start-up.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "config/setting_keys.hpp"
#include "config/value.hpp"

namespace gf::config {

// A value that fails validation. what() is the one-line message shown to the user,
// e.g. "Invalid value for workers: 'x' (expected a positive integer)".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Config {
 public:
  // All settings at their defaults (env-derived defaults such as PORT, WEB_CONCURRENCY,
  // FORWARDED_ALLOW_IPS read from the current environment).
  Config();

  // Parse `raw` with the setting's validator and store it; throws ConfigError naming the setting.
  void set(std::string_view name, std::string_view raw);
  // Store an already typed value (validated).
  void set_value(std::string_view name, Value value);

  // The typed way to read a setting: cfg.get(settings::timeout) is an int64_t (see
  // setting_keys.hpp). Throws std::logic_error if the stored value has another shape, which the
  // settings table's validators rule out.
  bool get(SettingKey<bool> key) const;
  std::optional<bool> get(SettingKey<std::optional<bool>> key) const;  // nullopt when None
  int64_t get(SettingKey<int64_t> key) const;
  std::string get(SettingKey<std::string> key) const;  // "" when None
  std::optional<std::string> get(SettingKey<std::optional<std::string>> key) const;
  StringList get(SettingKey<StringList> key) const;
  StringMap get(SettingKey<StringMap> key) const;
  template <class T>
  void set(SettingKey<T> key, std::string_view raw) {
    set(key.name, raw);
  }
  template <class T>
  void set_value(SettingKey<T> key, Value value) {
    set_value(key.name, std::move(value));
  }
  template <class T>
  bool is_set_explicitly(SettingKey<T> key) const {
    return is_set_explicitly(key.name);
  }

  // By name, for code that walks the settings table.
  const Value& get(std::string_view name) const;  // throws std::out_of_range for unknown names
  bool is_set_explicitly(std::string_view name) const;  // given on CLI/env, not a default

  // The positional APP_MODULE (or wsgi_app), empty when none.
  std::string app_uri;

 private:
  std::map<std::string, Value, std::less<>> values_;
  std::map<std::string, bool, std::less<>> explicit_;
};

}  // namespace gf::config
