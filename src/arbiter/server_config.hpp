// Reading the server's configuration from the command line the way start-up does, so that a HUP
// can build a fresh Config from scratch (defaults/env < config file < GUNICORN_CMD_ARGS < argv).
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace gf::arbiter {

// Parses `argv` (argv[0] included) with the config-file loader, then runs the checks that must
// pass before a server runs with it: an app module, a known log level, nothing refused, bind
// addresses that parse. Sets default_proc_name. Appends warnings (unknown config-file names,
// unsupported settings in use) to `warnings`. Throws config::ConfigError with the one-line
// message start-up prints.
config::Config read_server_config(const std::vector<std::string>& argv,
                                  std::vector<std::string>& warnings);

// Picks the app: the --paste ini when given (its URI made absolute), else APP_MODULE/wsgi_app;
// sets default_proc_name. Throws config::ConfigError ("Error: No application module
// specified.", a missing ini).
void choose_app(config::Config& cfg);

// The checks of read_server_config() alone, for a Config main() already parsed.
void check_server_config(const config::Config& cfg);

// Warnings for settings in use that greenfork does not implement yet (the worker class among
// them), to log at start-up and on reload.
std::vector<std::string> unsupported_settings_in_use(const config::Config& cfg);

// Points the process-wide error log at cfg's errorlog/loglevel/capture_output.
// Throws config::ConfigError for an unknown level (and what opening the file throws).
void configure_error_log(const config::Config& cfg);

}  // namespace gf::arbiter
