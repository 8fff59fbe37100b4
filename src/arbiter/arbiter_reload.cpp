// Arbiter: HUP - the settings read again and applied only once nothing can fail any more, so a
// bad config file or an address that cannot be bound leaves the running server as it was.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "arbiter/arbiter.hpp"
#include "arbiter/server_config.hpp"
#include "arbiter/systemd_notify.hpp"
#include "arbiter/worker_files.hpp"
#include "config/derived_settings.hpp"
#include "log/error_log.hpp"
#include "python/configuration/config_objects.hpp"
#include "python/configuration/hooks.hpp"
#include "python/embed/app_environment.hpp"
#include "python/embed/interpreter.hpp"
#include "python/embed/master_python.hpp"
#include "util/process_title.hpp"

namespace gf::arbiter {
namespace {

// Makes the process environment the one `cfg` runs in: its raw_env (also in os.environ when
// Python runs here) and its --chdir, where relative log and socket paths resolve.
void enter_environment(const config::Config& cfg) {
  if (python::Interpreter::initialized()) {
    python::app_environment::apply(cfg);
    return;
  }
  python::app_environment::set_env_vars(cfg);
  if (::chdir(cfg.get(config::settings::chdir).c_str()) != 0)
    throw config::ConfigError("--chdir: can't chdir to '" + cfg.get(config::settings::chdir) + "'");
}

}  // namespace

void Arbiter::reload() {
  auto& log = log::ErrorLog::get();
  // Type=notify-reload units need the monotonic time of the reload start.
  sd_notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(util::monotonic_ns() / 1000));
  // Everything that can fail comes first, so a bad config file or an address that cannot be
  // bound leaves the running server exactly as it was.
  config::Config next;
  // Reading the config file replaces its Python objects (hooks): kept for a rejected reload.
  const std::shared_ptr<void> objects = python::ConfigObjects::save();
  if (!read_new_config(next, objects)) {
    sd_notify("READY=1");
    return;
  }
  if (!rebind_listeners(next)) {
    log.error("Reload failed; keeping the current configuration");
    roll_back_reload(next, objects);
    sd_notify("READY=1");
    return;
  }
  const config::Config previous = std::exchange(cfg_, std::move(next));

  // Like Gunicorn 26.1: a log setup that fails leaves the previous one in place.
  try {
    configure_error_log(cfg_);
  } catch (const std::exception& e) {
    log.error("Invalid log configuration, keeping the previous one: {}", e.what());
    try {
      configure_error_log(previous);
    } catch (const std::exception&) {
    }
  }
  log.reopen();

  if (cfg_.get(config::settings::preload_app))
    preload_app(/*at_startup=*/false);
  else
    preloaded_app_.reset();
  hand_files_to_workers(cfg_, listeners_);

  python::Hooks::on_reload(*this);

  try {
    write_pidfile();  // the old file goes first: the path may have changed with the settings
  } catch (const std::exception& e) {
    pidfile_.reset();
    log.error("{}", e.what());
  }
  proc_name_ = config::effective_proc_name(cfg_) + (master_pid_ != 0 ? ".2" : "");
  util::set_process_title("greenfork: master [" + proc_name_ + "]");

  // Gunicorn re-reads the settings here, so a worker count changed by TTIN/TTOU goes back to
  // --workers.
  set_num_workers(static_cast<int>(std::max<int64_t>(1, cfg_.get(config::settings::workers))));
  // New workers first, then manage_workers() retires the oldest surplus ones gracefully.
  for (int i = 0; i < num_workers_; ++i) spawn_worker();
  manage_workers();
  sd_notify("READY=1");
}

bool Arbiter::read_new_config(config::Config& out, const std::shared_ptr<void>& objects) {
  auto& log = log::ErrorLog::get();
  // As in Gunicorn, raw_env is undone first: env-derived defaults and the config file must see
  // the environment the server was started with.
  python::restore_environment(cfg_, startup_.env);
  // Relative paths on the command line (-c conf.py, --chdir app/) mean what they meant at
  // start-up.
  if (::chdir(startup_.cwd.c_str()) != 0)
    log.warning("Can't chdir to the start-up directory '{}': {}", startup_.cwd,
                std::strerror(errno));
  std::vector<std::string> warnings;
  try {
    out = read_server_config(startup_.argv, warnings);
    enter_environment(out);
  } catch (const std::exception& e) {
    log.error("Reload failed; keeping the current configuration: {}", e.what());
    roll_back_reload(out, objects);
    return false;
  }
  for (const auto& warning : warnings) log.warning("{}", warning);
  return true;
}

// Undoes what reading `attempted` changed: its hook objects, raw_env and working directory.
void Arbiter::roll_back_reload(const config::Config& attempted,
                               const std::shared_ptr<void>& objects) {
  python::ConfigObjects::restore(objects);
  try {
    python::restore_environment(attempted, startup_.env);
    enter_environment(cfg_);
  } catch (const std::exception& e) {
    log::ErrorLog::get().error("{}", e.what());
  }
}

bool Arbiter::preload_app(bool at_startup) {
  try {
    python::Interpreter::initialize(cfg_);
    python::WsgiApp app = python::WsgiApp::load(cfg_);
    preloaded_app_.reset();
    preloaded_app_.emplace(std::move(app));
    return true;
  } catch (const std::exception& e) {
    if (at_startup) throw StartupError(e.what());
    // Gunicorn's master would die here; the workers already running serve on, and new ones
    // import the app themselves (or keep the previously preloaded one).
    log::ErrorLog::get().error("Reloading the preloaded app failed: {}", e.what());
    return false;
  }
}

}  // namespace gf::arbiter
