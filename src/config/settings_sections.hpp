// Internal to the settings table: each settings_<group>.cpp appends its entries, and the shared
// helpers, section names and "not yet supported" reasons they use.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "config/settings_table.hpp"

namespace gf::config::table {

inline Value str(const char* s) {
  return std::string(s);
}
inline Value num(int64_t n) {
  return n;
}
inline Value list(std::initializer_list<const char*> items) {
  return StringList(items.begin(), items.end());
}

inline constexpr std::string_view kConfigFile = "Config File";
inline constexpr std::string_view kServerSocket = "Server Socket";
inline constexpr std::string_view kWorkerProcesses = "Worker Processes";
inline constexpr std::string_view kSecurity = "Security";
inline constexpr std::string_view kDebugging = "Debugging";
inline constexpr std::string_view kServerMechanics = "Server Mechanics";
inline constexpr std::string_view kLogging = "Logging";
inline constexpr std::string_view kProcessNaming = "Process Naming";
inline constexpr std::string_view kServerHooks = "Server Hooks";
inline constexpr std::string_view kSsl = "SSL";
inline constexpr std::string_view kHttp2 = "HTTP/2";
inline constexpr std::string_view kDirtyArbiters = "Dirty Arbiters";
inline constexpr std::string_view kDirtyArbiterHooks = "Dirty Arbiter Hooks";
inline constexpr std::string_view kControl = "Control";

inline constexpr Support kLater = Support::kNotYetSupported;
inline constexpr Support kRefused = Support::kRefusedUntilSupported;
inline constexpr std::string_view kWhyHooks =
    "hooks are read from the config file and kept, but calling them comes in a later issue";
inline constexpr std::string_view kWhyDebugTrace = "line tracing comes in a later issue";
inline constexpr std::string_view kWhyUwsgi = "the uWSGI protocol comes in a later issue";
inline constexpr std::string_view kWhySyslog = "syslog output comes in a later issue";
inline constexpr std::string_view kWhyStatsd = "statsd metrics come in a later issue";
inline constexpr std::string_view kWhyPythonLogging =
    "Python logging configuration comes in a later issue";
inline constexpr std::string_view kWhyTls = "TLS comes in a later issue";
inline constexpr std::string_view kWhyHttp2 = "HTTP/2 comes in a later issue";
inline constexpr std::string_view kWhyDirty = "dirty arbiters come in a later issue";
inline constexpr std::string_view kWhyControl = "the control socket comes in a later issue";

void add_core_settings(std::vector<SettingSpec>& out);       // Config File .. Security
void add_debugging_settings(std::vector<SettingSpec>& out);  // Debugging
void add_mechanics_settings(std::vector<SettingSpec>& out);  // Server Mechanics
void add_logging_settings(std::vector<SettingSpec>& out);    // Logging, Process Naming
void add_hook_settings(std::vector<SettingSpec>& out);       // Server Hooks, Dirty Arbiter Hooks
void add_tls_http2_settings(std::vector<SettingSpec>& out);  // SSL, HTTP/2
void add_dirty_control_settings(std::vector<SettingSpec>& out);  // Dirty Arbiters, Control

}  // namespace gf::config::table
