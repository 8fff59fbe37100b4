#include "arbiter/server_config.hpp"

#include <stdexcept>

#include "config/command_line.hpp"
#include "log/error_log.hpp"
#include "net/bind_address.hpp"
#include "python/configuration/config_file.hpp"
#include "python/configuration/paste_config.hpp"
#include "workers/worker_table.hpp"

namespace gf::arbiter {

void check_server_config(const config::Config& cfg) {
  if (!log::parse_level(cfg.get(config::settings::loglevel)))
    throw config::ConfigError("Error: Invalid value for loglevel: " +
                              cfg.get(config::settings::loglevel));
  if (auto refused = config::refused_in_use(cfg); !refused.empty())
    throw config::ConfigError(refused.front());
  // A bad address must be reported before anything is (re)bound.
  for (const auto& spec : cfg.get(config::settings::bind)) {
    try {
      net::BindAddress::parse(spec);
    } catch (const std::invalid_argument& e) {
      throw config::ConfigError(std::string("Error: --bind: ") + e.what());
    }
  }
}

void choose_app(config::Config& cfg) {
  if (python::PasteConfig::choose_app(cfg)) return;
  if (cfg.app_uri.empty()) throw config::ConfigError("Error: No application module specified.");
  cfg.set(config::settings::default_proc_name, cfg.app_uri);
}

config::Config read_server_config(const std::vector<std::string>& argv,
                                  std::vector<std::string>& warnings) {
  std::vector<const char*> args;
  for (const auto& a : argv) args.push_back(a.c_str());
  args.push_back(nullptr);
  config::CommandLine cli = config::parse_command_line(static_cast<int>(argv.size()), args.data(),
                                                       python::PasteConfig::load_with_config_file);
  config::Config cfg = std::move(cli.config);
  choose_app(cfg);
  check_server_config(cfg);
  warnings.insert(warnings.end(), cli.warnings.begin(), cli.warnings.end());
  for (auto& message : unsupported_settings_in_use(cfg)) warnings.push_back(std::move(message));
  return cfg;
}

std::vector<std::string> unsupported_settings_in_use(const config::Config& cfg) {
  std::vector<std::string> messages = config::unsupported_in_use(cfg);
  if (auto worker_class = workers::unsupported_worker_class(cfg))
    messages.push_back(std::move(*worker_class));
  return messages;
}

void configure_error_log(const config::Config& cfg) {
  auto level = log::parse_level(cfg.get(config::settings::loglevel));
  if (!level)
    throw config::ConfigError("Error: Invalid value for loglevel: " +
                              cfg.get(config::settings::loglevel));
  log::ErrorLog::get().configure(cfg.get(config::settings::errorlog).value_or(""), *level,
                                 cfg.get(config::settings::capture_output));
}

}  // namespace gf::arbiter
