// PasteDeploy (--paste/--paster file.ini[#name]) on the master's side: choosing the ini as the
// app and reading its [server:main] section as settings. Loading the app itself is
// WsgiApp::load_paste (paste_app.cpp), run where the app is loaded (worker, or master with
// --preload).
#pragma once

#include <map>
#include <string>

#include "config/command_line.hpp"
#include "config/config.hpp"

namespace gf::python {

class PasteConfig {
 public:
  // The config::ConfigFileLoader main.cpp hands to parse_command_line: when --paste is given
  // (command line or GUNICORN_CMD_ARGS), first applies the ini's [server:main] keys to `config`
  // (host+port -> bind, other setting names as themselves; `use` and unknown keys skipped), then
  // hands over to ConfigFile::load, so the config file, GUNICORN_CMD_ARGS and argv all win over the
  // ini (Gunicorn's precedence level 2). A `config` key names the config file when -c was not
  // given. Starts Python only with --paste. Throws config::ConfigError: "Error: '/abs/app.ini' not
  // found", or an unreadable ini.
  static config::LoadConfigFile load_with_config_file;

  // When `paste` is set: checks the ini exists and --paste-global parses, sets app_uri to
  // "config:/abs/app.ini[#name]" (absolute now, since workers run from --chdir) and
  // default_proc_name to the ini's path, and returns true. Otherwise returns false.
  static bool choose_app(config::Config& cfg);

  // --paste-global KEY=VALUE entries as PasteDeploy's global_conf; `\=` stands for a literal
  // `=`, the first other `=` splits. Throws config::ConfigError for an entry without one.
  static std::map<std::string, std::string> global_conf(const config::Config& cfg);
};

}  // namespace gf::python
