// The one declaration of every setting (Gunicorn's 119 plus greenfork's `virtualenv`): name, flags,
// type, default, docs and support status. CLI, --help, --print-config and docs/settings.md use it.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "config/value.hpp"

namespace gf::config {

// How a raw string (CLI, GUNICORN_CMD_ARGS) or a config-file value becomes a Value.
enum class ValueType {
  kBool,            // true/false in any case; bool (None allowed when the default is None)
  kPositiveInt,     // Python int(x, 0), >= min_value (0 unless stated), int64_t
  kOctalInt,        // kPositiveInt that also reads "0022" as octal (umask), int64_t
  kString,          // stripped string (None accepted, as Gunicorn's validate_string does)
  kOptionalString,  // stripped string or None
  kStringList,      // list of stripped strings; a bare string is a one-element list
  kCommaList,    // "a, b" -> ["a", "b"]; when `choices` is set, each item must be one, no repeats
  kAddressList,  // comma list of IPv4/IPv6 addresses or networks (strict), or "*"
  kStringMap,    // ordered header -> value pairs (secure_scheme_headers; config file only)
  kChoice,       // one of `choices` after `aliases`, case-insensitive, stored lower-case
  kDirectory,    // existing path, stored absolute and normalised (chdir)
  kUser,         // uid number or user name, stored as the uid
  kGroup,        // gid number or group name, stored as the gid
  kHook,         // Python callable (config file only): its "module.attr" string, None = no-op
  kPythonDict,   // Python dict (config file only): kept as its repr text, e.g. "{}"
};

// What the flag does on the command line (argparse's `action`).
enum class CliAction {
  kByType,         // kBool -> kStoreTrue, kStringList -> kAppend, otherwise kStore
  kStore,          // --flag VALUE
  kStoreTrue,      // --flag sets True
  kStoreFalse,     // --flag sets False (--no-sendfile)
  kAppend,         // repeatable --flag VALUE, collected into a list
  kOptionalValue,  // --flag [VALUE]; bare flag means `optional_value` (--proxy-protocol)
};

// kRefusedUntilSupported: a setting whose absence would change what is safe to serve (TLS,
// privilege dropping, daemonizing): start-up stops with an error instead of ignoring it.
enum class Support { kSupported, kNotYetSupported, kRefusedUntilSupported };

struct ChoiceAlias {
  std::string_view from;
  std::string_view to;
};

// Designated-initializer friendly: entries name only the fields they need, in this order.
struct SettingSpec {
  std::string_view name{};
  std::string_view section{};
  std::vector<std::string_view> flags{};  // empty: config-file only
  std::string_view metavar{};
  ValueType type = ValueType::kString;
  CliAction action = CliAction::kByType;
  Value default_value{};                 // monostate = None
  Value (*dynamic_default)() = nullptr;  // env/process derived; overrides default_value
  std::string_view default_doc{};        // docs text for a dynamic default
  std::vector<std::string_view> choices{};
  std::vector<ChoiceAlias> aliases{};
  bool accepts_python_path = false;   // kChoice: a dotted path or egg:dist#name is also valid
  std::string_view optional_value{};  // kOptionalValue: value of the bare flag
  int64_t min_value = 0;
  int64_t max_value = std::numeric_limits<int64_t>::max();
  std::string_view help{};  // one line, used by --help
  std::string_view doc{};   // longer explanation, used by docs/settings.md
  Support support = Support::kSupported;
  std::string_view unsupported_reason{};
  // kChoice: when non-empty, the other valid choices are accepted but not yet supported.
  std::vector<std::string_view> supported_choices{};
  // kHook: how many positional parameters the callable must take (post_request: 2 to 4), so a
  // config file with a wrongly shaped hook fails at start-up rather than when it is called.
  int min_args = 0;
  int max_args = 0;
};

// Every setting, in declaration order (grouped by section).
std::span<const SettingSpec> settings_table();

// nullptr when unknown.
const SettingSpec* find_setting(std::string_view name);
// Exact flag spelling ("-w", "--workers", "--log-file"); nullptr when unknown.
const SettingSpec* find_setting_by_flag(std::string_view flag);

// The section names in the order they first appear in the table.
std::vector<std::string_view> settings_sections();

// kByType resolved.
CliAction cli_action(const SettingSpec& spec);

// The default as Config() stores it (dynamic defaults read the environment now).
// Throws ConfigError when an environment variable behind the default is invalid.
Value default_value(const SettingSpec& spec);

}  // namespace gf::config
