// Settings of the Dirty Arbiters and Control sections.
#include "config/env_defaults.hpp"
#include "config/settings_sections.hpp"

namespace gf::config::table {
namespace {

void add_dirty_settings(std::vector<SettingSpec>& out) {
  out.push_back({
      .name = "dirty_apps",
      .section = kDirtyArbiters,
      .flags = {"--dirty-app"},
      .metavar = "STRING",
      .type = ValueType::kStringList,
      .default_value = list({}),
      .help = "Dirty applications to load in the dirty worker pool.",
      .doc = "`module:Class`, or `module:Class:N` to load it in N workers only. Repeatable.",
      .support = kLater,
      .unsupported_reason = kWhyDirty,
  });
  out.push_back({
      .name = "dirty_workers",
      .section = kDirtyArbiters,
      .flags = {"--dirty-workers"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(0),
      .help = "The number of dirty worker processes.",
      .doc = "0 disables the dirty arbiter (it also needs dirty_apps).",
      .support = kLater,
      .unsupported_reason = kWhyDirty,
  });
  out.push_back({
      .name = "dirty_timeout",
      .section = kDirtyArbiters,
      .flags = {"--dirty-timeout"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(300),
      .help = "Timeout for dirty tasks in seconds.",
      .doc = "Also the dirty worker heartbeat timeout; 0 disables it.",
      .support = kLater,
      .unsupported_reason = kWhyDirty,
  });
  out.push_back({
      .name = "dirty_threads",
      .section = kDirtyArbiters,
      .flags = {"--dirty-threads"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(1),
      .help = "The number of threads per dirty worker.",
      .doc = "Threads that run tasks in each dirty worker.",
      .support = kLater,
      .unsupported_reason = kWhyDirty,
  });
  out.push_back({
      .name = "dirty_graceful_timeout",
      .section = kDirtyArbiters,
      .flags = {"--dirty-graceful-timeout"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(30),
      .help = "Timeout for graceful dirty worker shutdown in seconds.",
      .doc = "Dirty workers still running after it are killed.",
      .support = kLater,
      .unsupported_reason = kWhyDirty,
  });
}

void add_control_settings(std::vector<SettingSpec>& out) {
  out.push_back({
      .name = "control_socket",
      .section = kControl,
      .flags = {"--control-socket"},
      .metavar = "PATH",
      .type = ValueType::kString,
      .dynamic_default = env_defaults::control_socket,
      .default_doc = "$XDG_RUNTIME_DIR/gunicorn.ctl, else ~/.gunicorn/gunicorn.ctl",
      .help = "Unix socket path for control interface.",
      .doc = "Used by gunicornc. Relative paths are resolved against the working directory; "
             "the parent directory is created when missing.",
      .support = kLater,
      .unsupported_reason = kWhyControl,
  });
  out.push_back({
      .name = "control_socket_mode",
      .section = kControl,
      .flags = {"--control-socket-mode"},
      .metavar = "INT",
      .type = ValueType::kOctalInt,
      .default_value = num(0600),
      .help = "Permission mode for control socket.",
      .doc = "Accepts `0600` (octal) and the other integer forms umask accepts.",
      .support = kLater,
      .unsupported_reason = kWhyControl,
  });
  out.push_back({
      .name = "control_socket_disable",
      .section = kControl,
      .flags = {"--no-control-socket"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Disable control socket.",
      .doc = "No control socket is created. greenfork has none yet, so this holds already.",
  });
}

}  // namespace

void add_dirty_control_settings(std::vector<SettingSpec>& out) {
  add_dirty_settings(out);
  add_control_settings(out);
}

}  // namespace gf::config::table
