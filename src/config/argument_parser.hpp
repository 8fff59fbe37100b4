// Gunicorn's command-line grammar (Python argparse) over the settings table: `--flag VALUE`,
// `--flag=VALUE`, `-w4`, bundled `-DR`, unique prefixes (`--work` is ambiguous, `--bin` is
// --bind), `--`, and the APP_MODULE positional. Values are validated here so errors name the flag.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "config/settings_table.hpp"
#include "config/value.hpp"

namespace gf::config {

struct ParsedArguments {
  // One entry per setting given, in first-seen order; repeated flags: the last value wins,
  // append flags collect all their values into one list.
  std::vector<std::pair<const SettingSpec*, Value>> settings;
  std::vector<std::string> positionals;
  bool show_help = false;     // -h/--help seen; parsing stopped there
  bool show_version = false;  // -v/--version seen; parsing stopped there
};

// Throws ConfigError with a one-line message starting with "Error: ".
ParsedArguments parse_arguments(std::span<const std::string> args);

}  // namespace gf::config
