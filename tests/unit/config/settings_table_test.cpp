#include "config/settings_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "config/value_parser.hpp"

namespace gf::config {
namespace {

TEST(SettingsTable, DeclaresGunicornsSettingsPlusGreenforksOwn) {
  // Gunicorn's 119, plus virtualenv, the gthread worker's header/body/write timeouts and the
  // asgi worker's three WebSocket settings, and limit_request_body.
  EXPECT_EQ(settings_table().size(), 128u);
  EXPECT_NE(find_setting("virtualenv"), nullptr);
  EXPECT_EQ(find_setting("no_such_setting"), nullptr);
}

TEST(SettingsTable, SectionSizesMatchGunicorn) {
  std::map<std::string, int> counts;
  for (const SettingSpec& spec : settings_table()) ++counts[std::string(spec.section)];
  const std::map<std::string, int> expected = {
      {"Server Mechanics", 31},  // Gunicorn's 30 plus virtualenv
      {"Logging", 19},
      {"Server Hooks", 16},
      {"Worker Processes", 19},  // Gunicorn's 13, the three gthread timeouts, 3 WebSocket
      {"SSL", 8},
      {"Debugging", 6},
      {"HTTP/2", 6},
      {"Dirty Arbiters", 5},
      {"Dirty Arbiter Hooks", 4},
      {"Security", 5},  // Gunicorn's 3, websocket_max_message_size, limit_request_body
      {"Control", 3},
      {"Config File", 2},
      {"Server Socket", 2},
      {"Process Naming", 2}};
  EXPECT_EQ(counts, expected);
  EXPECT_EQ(settings_sections().size(), expected.size());
}

TEST(SettingsTable, NamesAndFlagsAreUnique) {
  std::set<std::string_view> names;
  std::set<std::string_view> flags;
  for (const SettingSpec& spec : settings_table()) {
    EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
    for (std::string_view flag : spec.flags) {
      EXPECT_TRUE(flags.insert(flag).second) << flag;
      EXPECT_EQ(find_setting_by_flag(flag), &spec);
    }
  }
}

TEST(SettingsTable, EveryEntryIsDocumentedAndConsistent) {
  for (const SettingSpec& spec : settings_table()) {
    SCOPED_TRACE(std::string(spec.name));
    EXPECT_FALSE(spec.help.empty());
    EXPECT_FALSE(spec.doc.empty());
    EXPECT_EQ(spec.support != Support::kSupported, !spec.unsupported_reason.empty());
    if (spec.type == ValueType::kHook || spec.type == ValueType::kStringMap ||
        spec.type == ValueType::kPythonDict) {
      EXPECT_TRUE(spec.flags.empty()) << "config-file only";
    }
    if (spec.type == ValueType::kChoice) {
      EXPECT_FALSE(spec.choices.empty());
    }
    if (spec.dynamic_default != nullptr) {
      EXPECT_FALSE(spec.default_doc.empty());
    }
  }
}

TEST(SettingsTable, DefaultsPassTheirOwnValidator) {
  for (const SettingSpec& spec : settings_table()) {
    SCOPED_TRACE(std::string(spec.name));
    const Value value = default_value(spec);
    EXPECT_EQ(validate_value(spec, value), value);
  }
}

TEST(SettingsTable, ExactlyTheIssueTwoSettingsAreSupported) {
  const std::set<std::string_view> expected = {
      "bind", "backlog", "workers", "worker_class", "threads", "worker_connections", "max_requests",
      "max_requests_jitter", "timeout", "graceful_timeout", "keepalive", "limit_request_line",
      "limit_request_fields", "limit_request_field_size", "check_config", "print_config", "chdir",
      "raw_env", "pythonpath", "accesslog", "access_log_format", "errorlog", "loglevel",
      "capture_output", "proc_name", "default_proc_name", "forwarded_allow_ips",
      "secure_scheme_headers", "proxy_protocol", "proxy_allow_ips", "permit_obsolete_folding",
      "strip_header_spaces", "permit_unconventional_http_method",
      "permit_unconventional_http_version", "casefold_http_method", "forwarder_headers",
      "header_map", "sendfile", "umask", "worker_tmp_dir", "wsgi_app", "virtualenv", "http_parser",
      "root_path", "tmp_upload_dir",
      // Not in the issue's list but true already: greenfork speaks plain HTTP and has no
      // control socket to disable.
      "protocol", "control_socket_disable",
      // Issue 3: config files.
      "config",
      // Issue 3: daemon and process settings.
      "daemon", "enable_stdio_inheritance", "pidfile", "user", "group", "initgroups", "preload_app",
      "reuse_port",
      // Issue 3: --reload.
      "reload", "reload_engine", "reload_extra_files",
      // Issue 3: server hooks (all but ssl_context, which needs TLS).
      "on_starting", "on_reload", "when_ready", "pre_fork", "post_fork", "post_worker_init",
      "worker_int", "worker_abort", "pre_exec", "pre_request", "post_request", "child_exit",
      "worker_exit", "nworkers_changed", "on_exit",
      // Issue 3: PasteDeploy apps.
      "paste", "raw_paste_global_conf",
      // Issue 4: the gthread worker's timeouts.
      "header_timeout", "body_timeout", "write_timeout",
      // Issue 10: the asgi worker (root_path was already supported: it is only read there).
      "asgi_loop", "asgi_lifespan", "asgi_disconnect_grace_period", "websocket_ping_interval",
      "websocket_ping_timeout", "websocket_max_message_size", "limit_request_body",
      "websocket_per_message_deflate"};
  std::set<std::string_view> supported;
  for (const SettingSpec& spec : settings_table()) {
    if (spec.support == Support::kSupported) supported.insert(spec.name);
  }
  EXPECT_EQ(supported, expected);
}

TEST(SettingsTable, EveryHookDeclaresItsArity) {
  for (const SettingSpec& spec : settings_table()) {
    if (spec.type != ValueType::kHook) continue;
    SCOPED_TRACE(std::string(spec.name));
    EXPECT_GE(spec.min_args, 1);
    EXPECT_GE(spec.max_args, spec.min_args);
  }
  EXPECT_EQ(find_setting("post_fork")->min_args, 2);
  EXPECT_EQ(find_setting("nworkers_changed")->max_args, 3);
  EXPECT_EQ(find_setting("post_request")->min_args, 2);
  EXPECT_EQ(find_setting("post_request")->max_args, 4);
}

TEST(SettingsTable, CliActionFollowsType) {
  EXPECT_EQ(cli_action(*find_setting("daemon")), CliAction::kStoreTrue);
  EXPECT_EQ(cli_action(*find_setting("sendfile")), CliAction::kStoreFalse);
  EXPECT_EQ(cli_action(*find_setting("bind")), CliAction::kAppend);
  EXPECT_EQ(cli_action(*find_setting("raw_env")), CliAction::kAppend);
  EXPECT_EQ(cli_action(*find_setting("workers")), CliAction::kStore);
  EXPECT_EQ(cli_action(*find_setting("proxy_protocol")), CliAction::kOptionalValue);
}

TEST(SettingsTable, QuirkySpellingsAreKept) {
  EXPECT_EQ(find_setting_by_flag("--limit-request-field_size"),
            find_setting("limit_request_field_size"));
  EXPECT_EQ(find_setting_by_flag("--log-file"), find_setting("errorlog"));
  EXPECT_EQ(find_setting_by_flag("--paster"), find_setting("paste"));
  EXPECT_EQ(find_setting_by_flag("--no-control-socket"), find_setting("control_socket_disable"));
}

}  // namespace
}  // namespace gf::config
