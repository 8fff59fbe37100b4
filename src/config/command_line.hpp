// The command line as Gunicorn reads it: defaults (and env-derived defaults) < config file
// (read through a loader the caller supplies) < GUNICORN_CMD_ARGS < argv; plus --help,
// --version and --print-config text.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace gf::config {

struct CommandLine {
  Config config;
  bool show_help = false;             // print help_text() and exit 0 (config is then all defaults)
  bool show_version = false;          // print version_text() and exit 0
  std::vector<std::string> warnings;  // one line each, to show on stderr
};

// The config-file seam: called after defaults and before GUNICORN_CMD_ARGS and argv are
// applied, with the file Gunicorn's lookup picks (-c on the command line, else -c in
// GUNICORN_CMD_ARGS, else the `config` default "./gunicorn.conf.py"). `explicitly_given` is false
// for the default path, which must only be read when it exists. `command_line` is what
// GUNICORN_CMD_ARGS and argv alone make of the defaults: the loader needs --chdir, --pythonpath,
// --virtualenv and --env before the file can run, while the file's values must still land below
// them in `config`.
// The loaders (python::ConfigFile, python::PasteConfig) declare themselves with this type, so the
// parameter list is written once.
using LoadConfigFile = void(Config& config, const Config& command_line, const std::string& path,
                            bool explicitly_given);
using ConfigFileLoader = std::function<LoadConfigFile>;

// Reads GUNICORN_CMD_ARGS from the environment. Throws ConfigError with a one-line message
// ("Error: --workers: expected a positive integer, got 'x'").
CommandLine parse_command_line(int argc, const char* const* argv);
CommandLine parse_command_line(int argc, const char* const* argv,
                               const ConfigFileLoader& load_config_file);

// Applies name -> raw text pairs (e.g. from a config file) with Config::set. Names that are not
// settings are skipped, as Gunicorn skips them, and returned. Throws ConfigError on a bad value.
std::vector<std::string> apply_raw_settings(
    Config& config, const std::vector<std::pair<std::string, std::string>>& raw_settings);

// argparse-like usage, then every flag with "help [default]", grouped by section.
std::string help_text(std::string_view prog);
// "greenfork (version 0.1.0)" (no newline).
std::string version_text();
// "name = value" for every setting, sorted by name, names padded to one width, values as Python
// str() prints them (Gunicorn's Config.__str__). Ends with a newline.
std::string print_config_text(const Config& config);
// One line per not-yet-supported setting whose value differs from its default:
// "Setting 'certfile' (--certfile) is not supported yet by greenfork: TLS comes in a later
// issue; ignoring it". The caller decides whether to warn or exit.
std::vector<std::string> unsupported_in_use(const Config& config);
// One "Error: ..." line per set setting that greenfork cannot ignore safely (TLS, user/group,
// daemon); start-up must stop when this is not empty.
std::vector<std::string> refused_in_use(const Config& config);

}  // namespace gf::config
