// Settings of the Debugging section.
#include "config/settings_sections.hpp"

namespace gf::config::table {

void add_debugging_settings(std::vector<SettingSpec>& out) {
  out.push_back({
      .name = "reload",
      .section = kDebugging,
      .flags = {"--reload"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Restart workers when code changes.",
      .doc = "For development: workers restart when application code changes (inotify when "
             "available, else polling). Incompatible with preloading.",
  });
  out.push_back({
      .name = "reload_engine",
      .section = kDebugging,
      .flags = {"--reload-engine"},
      .metavar = "STRING",
      .type = ValueType::kChoice,
      .default_value = str("auto"),
      .choices = {"auto", "poll", "inotify"},
      .help = "The implementation that should be used to power reload.",
      .doc = "`auto` uses inotify when available and falls back to polling; `poll` or "
             "`inotify` force one.",
  });
  out.push_back({
      .name = "reload_extra_files",
      .section = kDebugging,
      .flags = {"--reload-extra-file"},
      .metavar = "FILES",
      .type = ValueType::kStringList,
      .default_value = list({}),
      .help = "Extends reload option to also watch and reload on additional files.",
      .doc = "Files or glob patterns (`*`, `?`, `[`, `**`) to watch besides the code; "
             "patterns are expanded again on every check. Repeatable.",
  });
  out.push_back({
      .name = "spew",
      .section = kDebugging,
      .flags = {"--spew"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Install a trace function that spews every line executed by the server.",
      .doc = "The nuclear option for debugging.",
      .support = kLater,
      .unsupported_reason = kWhyDebugTrace,
  });
  out.push_back({
      .name = "check_config",
      .section = kDebugging,
      .flags = {"--check-config"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Check the configuration and exit.",
      .doc = "Loads the configuration and the application, then exits 0 when both are "
             "fine and 1 otherwise.",
  });
  out.push_back({
      .name = "print_config",
      .section = kDebugging,
      .flags = {"--print-config"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Print the configuration settings as fully resolved. Implies check-config.",
      .doc = "Prints `name = value` for every setting, sorted by name, then behaves like "
             "check-config.",
  });
}

}  // namespace gf::config::table
