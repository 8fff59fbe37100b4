// greenfork: parse the command line, report configuration problems before anything is bound,
// then hand over to the master process. Glue only.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "arbiter/arbiter.hpp"
#include "arbiter/server_config.hpp"
#include "config/command_line.hpp"
#include "log/error_log.hpp"
#include "python/app/wsgi_app.hpp"
#include "python/configuration/paste_config.hpp"
#include "python/embed/interpreter.hpp"
#include "util/process_title.hpp"
#include "util/startup_context.hpp"

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  return 1;
}

// --check-config / --print-config: load the app in this process, report, exit.
int check_config(const gf::config::Config& cfg) {
  try {
    gf::python::Interpreter::initialize(cfg);
    gf::python::WsgiApp::load(cfg);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  gf::util::init_process_title(argc, argv);
  // Before anything changes the environment or cwd: a USR2 upgrade starts the new binary so.
  gf::util::StartupContext startup = gf::util::StartupContext::capture(argc, argv);
  gf::config::CommandLine cli;
  try {
    cli =
        gf::config::parse_command_line(argc, argv, gf::python::PasteConfig::load_with_config_file);
  } catch (const gf::config::ConfigError& e) {
    return fail(e.what());
  }
  if (cli.show_help) {
    std::fputs(gf::config::help_text(argv[0]).c_str(), stdout);
    return 0;
  }
  if (cli.show_version) {
    std::printf("%s\n", gf::config::version_text().c_str());
    return 0;
  }
  gf::config::Config& cfg = cli.config;
  // Before --print-config, which shows the chosen default_proc_name (the ini for --paste), as
  // Gunicorn picks the app while it loads the configuration.
  try {
    gf::arbiter::choose_app(cfg);
  } catch (const gf::config::ConfigError& e) {
    return fail(e.what());
  }
  if (cfg.get(gf::config::settings::print_config))
    std::fputs(gf::config::print_config_text(cfg).c_str(), stdout);
  if (cfg.get(gf::config::settings::print_config) || cfg.get(gf::config::settings::check_config))
    return check_config(cfg);

  // Like Gunicorn, the whole server works from --chdir: relative log files, UNIX socket paths
  // and the app's imports all resolve there.
  if (::chdir(cfg.get(gf::config::settings::chdir).c_str()) != 0)
    return fail("Error: --chdir: can't chdir to '" + cfg.get(gf::config::settings::chdir) + "'");
  // The same checks a HUP applies to the configuration it reads again; bind addresses are
  // settings too, so a bad one is reported before anything is started.
  try {
    gf::arbiter::configure_error_log(cfg);
    gf::arbiter::check_server_config(cfg);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  for (const auto& warning : cli.warnings) gf::log::ErrorLog::get().warning("{}", warning);
  for (const auto& message : gf::arbiter::unsupported_settings_in_use(cfg))
    gf::log::ErrorLog::get().warning("{}", message);
  try {
    gf::python::Interpreter::check_environment(cfg);
  } catch (const std::exception& e) {
    return fail(std::string("Error: ") + e.what());
  }

  gf::arbiter::Arbiter arbiter(cfg, std::move(startup));
  return arbiter.run();
}
