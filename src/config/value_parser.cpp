#include "config/value_parser.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "config/python_int.hpp"
#include "config/text.hpp"
#include "util/ip_network.hpp"

namespace gf::config {
namespace {

bool has_bounds(const SettingSpec& spec) {
  return spec.min_value != 0 || spec.max_value != std::numeric_limits<int64_t>::max();
}

std::string choices_text(const SettingSpec& spec) {
  return join(std::vector<std::string_view>(spec.choices.begin(), spec.choices.end()), ", ");
}

int64_t checked_int(const SettingSpec& spec, int64_t value) {
  if (value < spec.min_value || value > spec.max_value) throw InvalidValue(expected_text(spec));
  return value;
}

// The parse_* helpers below throw InvalidValue(expected_text(spec)): one wording per type.

bool parse_bool(const SettingSpec& spec, std::string_view raw) {
  const std::string word = to_lower(strip(raw));
  if (word == "true") return true;
  if (word == "false") return false;
  throw InvalidValue(expected_text(spec));
}

std::string parse_choice(const SettingSpec& spec, std::string_view raw) {
  const std::string_view text = strip(raw);
  const bool python_path = text.find('.') != std::string_view::npos || text.starts_with("egg:");
  if (spec.accepts_python_path && python_path) return std::string(text);
  std::string word = to_lower(text);
  for (const ChoiceAlias& alias : spec.aliases) {
    if (word == alias.from) word = alias.to;
  }
  if (std::find(spec.choices.begin(), spec.choices.end(), word) == spec.choices.end()) {
    throw InvalidValue(expected_text(spec));
  }
  return word;
}

// Gunicorn's validate_string_to_list: empty pieces are dropped before stripping.
StringList parse_comma_list(std::string_view raw) {
  StringList items;
  const std::string_view text = strip(raw);
  if (text.empty()) return items;
  for (std::string_view piece : split(text, ',')) {
    if (!piece.empty()) items.emplace_back(strip(piece));
  }
  return items;
}

StringList checked_choice_list(const SettingSpec& spec, StringList items) {
  if (items.empty()) throw InvalidValue(expected_text(spec));
  for (size_t i = 0; i < items.size(); ++i) {
    items[i] = to_lower(items[i]);
    const bool known =
        std::find(spec.choices.begin(), spec.choices.end(), items[i]) != spec.choices.end();
    const bool repeated = std::find(items.begin(), items.begin() + static_cast<long>(i),
                                    items[i]) != items.begin() + static_cast<long>(i);
    if (!known || repeated) throw InvalidValue(expected_text(spec));
  }
  return items;
}

StringList checked_addresses(const SettingSpec& spec, StringList items) {
  StringList kept;
  for (std::string& item : items) {
    std::string entry(strip(item));
    if (entry.empty()) continue;
    if (entry != "*" && !std::holds_alternative<util::IpNetwork>(util::parse_ip_network(entry))) {
      throw InvalidValue(fmt::format("{} ('{}' is not one)", expected_text(spec), entry));
    }
    kept.push_back(std::move(entry));
  }
  return kept;
}

std::string parse_directory(const SettingSpec& spec, std::string_view raw) {
  namespace fs = std::filesystem;
  const fs::path given{std::string(strip(raw))};
  std::error_code error;
  const fs::path absolute = (fs::current_path(error) / given).lexically_normal();
  std::string normalised = absolute.string();
  if (normalised.size() > 1 && normalised.back() == '/') normalised.pop_back();
  if (!fs::exists(normalised, error)) throw InvalidValue(expected_text(spec));
  return normalised;
}

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// A uid (kUser) or gid (kGroup): a number, or a name the system knows.
int64_t parse_user_or_group(const SettingSpec& spec, std::string_view raw) {
  const std::string name(strip(raw));
  if (all_digits(name)) {
    if (auto id = parse_python_int(name, 10)) return *id;
  }
  if (spec.type == ValueType::kGroup) {
    if (const group* entry = getgrnam(name.c_str())) return entry->gr_gid;
  } else if (const passwd* entry = getpwnam(name.c_str())) {
    return entry->pw_uid;
  }
  throw InvalidValue(expected_text(spec));
}

std::string parse_hook(const SettingSpec& spec, std::string_view raw) {
  const std::string_view text = strip(raw);
  const auto dot = text.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size()) {
    throw InvalidValue(expected_text(spec));
  }
  return std::string(text);
}

StringList stripped(StringList items) {
  for (std::string& item : items) item = std::string(strip(item));
  return items;
}

// None, as Gunicorn's validators treat it.
Value validate_none(const SettingSpec& spec) {
  switch (spec.type) {
    case ValueType::kBool:
    case ValueType::kString:
    case ValueType::kOptionalString:
    case ValueType::kHook:
      return std::monostate{};
    case ValueType::kStringList:
      return StringList{};
    case ValueType::kUser:
      return static_cast<int64_t>(geteuid());
    case ValueType::kGroup:
      return static_cast<int64_t>(getegid());
    default:
      throw InvalidValue(expected_text(spec));
  }
}

Value validate_list(const SettingSpec& spec, const StringList& items) {
  switch (spec.type) {
    case ValueType::kStringList:
      return stripped(items);
    case ValueType::kCommaList:
      return spec.choices.empty() ? stripped(items) : checked_choice_list(spec, stripped(items));
    case ValueType::kAddressList:
      return checked_addresses(spec, items);
    default:
      throw InvalidValue(expected_text(spec));
  }
}

}  // namespace

std::string expected_text(const SettingSpec& spec) {
  switch (spec.type) {
    case ValueType::kBool:
      return "expected true or false";
    case ValueType::kPositiveInt:
    case ValueType::kOctalInt:
      if (has_bounds(spec)) {
        return fmt::format("expected an integer from {} to {}", spec.min_value, spec.max_value);
      }
      return "expected a positive integer";
    case ValueType::kString:
    case ValueType::kOptionalString:
      return "expected a string";
    case ValueType::kStringList:
      return "expected a list of strings";
    case ValueType::kCommaList:
      if (spec.choices.empty()) return "expected a comma-separated list";
      return fmt::format("expected a comma-separated list of {} without repeats",
                         choices_text(spec));
    case ValueType::kAddressList:
      return "expected comma-separated IP addresses or networks, or '*'";
    case ValueType::kStringMap:
      return "expected a dictionary of strings";
    case ValueType::kChoice:
      return fmt::format("expected one of {}{}", choices_text(spec),
                         spec.accepts_python_path ? ", or a Python class path" : "");
    case ValueType::kDirectory:
      return "expected an existing directory";
    case ValueType::kUser:
      return "expected a user id or an existing user name";
    case ValueType::kGroup:
      return "expected a group id or an existing group name";
    case ValueType::kHook:
      return "expected a callable or a 'module.function' import string";
    case ValueType::kPythonDict:
      return "expected a dictionary";
  }
  return "expected a valid value";
}

Value parse_value(const SettingSpec& spec, std::string_view raw) {
  switch (spec.type) {
    case ValueType::kBool:
      return parse_bool(spec, raw);
    case ValueType::kPositiveInt: {
      const auto number = parse_python_int(raw);
      if (!number) throw InvalidValue(expected_text(spec));
      return checked_int(spec, *number);
    }
    case ValueType::kOctalInt: {
      const auto number = parse_octal_friendly_int(raw);
      if (!number) throw InvalidValue(expected_text(spec));
      return checked_int(spec, *number);
    }
    case ValueType::kString:
    case ValueType::kOptionalString:
      return std::string(strip(raw));
    case ValueType::kStringList:
      // Gunicorn's legacy form: a bare string is a one-element list, an empty one no list.
      if (raw.empty()) return StringList{};
      return StringList{std::string(strip(raw))};
    case ValueType::kCommaList:
      return validate_list(spec, parse_comma_list(raw));
    case ValueType::kAddressList:
      return checked_addresses(spec, parse_comma_list(raw));
    case ValueType::kStringMap:
      throw InvalidValue(expected_text(spec));
    case ValueType::kChoice:
      return parse_choice(spec, raw);
    case ValueType::kDirectory:
      return parse_directory(spec, raw);
    case ValueType::kUser:
    case ValueType::kGroup:
      return parse_user_or_group(spec, raw);
    case ValueType::kHook:
      return parse_hook(spec, raw);
    case ValueType::kPythonDict:
      return std::string(raw);
  }
  throw InvalidValue(expected_text(spec));
}

Value validate_value(const SettingSpec& spec, const Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return parse_value(spec, *text);
  if (std::holds_alternative<std::monostate>(value)) return validate_none(spec);
  const bool is_int = spec.type == ValueType::kPositiveInt || spec.type == ValueType::kOctalInt;
  if (const auto* flag = std::get_if<bool>(&value)) {
    if (spec.type == ValueType::kBool) return *flag;
    if (is_int) return checked_int(spec, *flag ? 1 : 0);  // Python bools are ints
  }
  if (const auto* number = std::get_if<int64_t>(&value)) {
    if (is_int) return checked_int(spec, *number);
    if (spec.type == ValueType::kUser || spec.type == ValueType::kGroup) return *number;
  }
  if (const auto* items = std::get_if<StringList>(&value)) return validate_list(spec, *items);
  if (const auto* map = std::get_if<StringMap>(&value)) {
    if (spec.type == ValueType::kStringMap) return *map;
  }
  throw InvalidValue(expected_text(spec));
}

}  // namespace gf::config
