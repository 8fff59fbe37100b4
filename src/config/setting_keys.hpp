// Typed names for the settings the code reads: cfg.get(settings::timeout) is an int64_t, a
// misspelled key does not compile, and setting_keys_test checks every key against the table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/value.hpp"

namespace gf::config {

// T is what Config::get returns for the key; `name` is the setting's name in the table.
template <class T>
struct SettingKey {
  using value_type = T;
  std::string_view name;
};

// Every key, once, as KEY(C++ type, setting name): declared below and walked by
// for_each_setting_key, so the test sees every key there is. The type follows the table's
// ValueType: bool (kBool), int64_t (integers, user, group), std::string (text that None reads
// as ""), std::optional<std::string> (None kept apart), StringList, StringMap, and
// std::optional<bool> for a kBool whose default is None.
#define GREENFORK_SETTING_KEYS(KEY)                                                      \
  /* Config File, Server Socket, Worker Processes, Security */                           \
  KEY(std::string, config)                                                               \
  KEY(std::string, wsgi_app)                                                             \
  KEY(StringList, bind)                                                                  \
  KEY(int64_t, backlog)                                                                  \
  KEY(int64_t, workers)                                                                  \
  KEY(std::string, worker_class)                                                         \
  KEY(int64_t, threads)                                                                  \
  KEY(int64_t, worker_connections)                                                       \
  KEY(int64_t, max_requests)                                                             \
  KEY(int64_t, max_requests_jitter)                                                      \
  KEY(int64_t, timeout)                                                                  \
  KEY(int64_t, graceful_timeout)                                                         \
  KEY(int64_t, keepalive)                                                                \
  KEY(std::string, asgi_loop)                                                            \
  KEY(std::string, asgi_lifespan)                                                        \
  KEY(int64_t, asgi_disconnect_grace_period)                                             \
  KEY(int64_t, websocket_ping_interval)                                                  \
  KEY(int64_t, websocket_ping_timeout)                                                   \
  KEY(int64_t, websocket_max_message_size)                                               \
  KEY(bool, websocket_per_message_deflate)                                               \
  KEY(std::string, root_path)                                                            \
  KEY(int64_t, header_timeout)                                                           \
  KEY(int64_t, body_timeout)                                                             \
  KEY(int64_t, write_timeout)                                                            \
  KEY(int64_t, limit_request_line)                                                       \
  KEY(int64_t, limit_request_fields)                                                     \
  KEY(int64_t, limit_request_field_size)                                                 \
  KEY(int64_t, limit_request_body)                                                       \
  /* Debugging */                                                                        \
  KEY(bool, reload)                                                                      \
  KEY(std::string, reload_engine)                                                        \
  KEY(StringList, reload_extra_files)                                                    \
  KEY(bool, check_config)                                                                \
  KEY(bool, print_config)                                                                \
  /* Server Mechanics */                                                                 \
  KEY(bool, preload_app)                                                                 \
  KEY(std::optional<bool>, sendfile)                                                     \
  KEY(bool, reuse_port)                                                                  \
  KEY(std::string, chdir)                                                                \
  KEY(bool, daemon)                                                                      \
  KEY(StringList, raw_env)                                                               \
  KEY(std::optional<std::string>, pidfile)                                               \
  KEY(std::optional<std::string>, worker_tmp_dir)                                        \
  KEY(int64_t, user)                                                                     \
  KEY(int64_t, group)                                                                    \
  KEY(int64_t, umask)                                                                    \
  KEY(bool, initgroups)                                                                  \
  KEY(StringMap, secure_scheme_headers)                                                  \
  KEY(StringList, forwarded_allow_ips)                                                   \
  KEY(std::string, pythonpath)                                                           \
  KEY(std::optional<std::string>, paste)                                                 \
  KEY(StringList, raw_paste_global_conf)                                                 \
  KEY(std::string, proxy_protocol)                                                       \
  KEY(StringList, proxy_allow_ips)                                                       \
  KEY(bool, strip_header_spaces)                                                         \
  KEY(bool, permit_obsolete_folding)                                                     \
  KEY(bool, permit_unconventional_http_method)                                           \
  KEY(bool, permit_unconventional_http_version)                                          \
  KEY(bool, casefold_http_method)                                                        \
  KEY(StringList, forwarder_headers)                                                     \
  KEY(std::string, header_map)                                                           \
  KEY(std::optional<std::string>, virtualenv)                                            \
  /* Logging, Process Naming */                                                          \
  KEY(std::optional<std::string>, accesslog)                                             \
  KEY(std::string, access_log_format)                                                    \
  KEY(std::optional<std::string>, errorlog)                                              \
  KEY(std::string, loglevel)                                                             \
  KEY(bool, capture_output)                                                              \
  KEY(bool, enable_stdio_inheritance)                                                    \
  KEY(std::optional<std::string>, proc_name)                                             \
  KEY(std::string, default_proc_name)                                                    \
  /* Server Hooks: a "module.function" path, None for the default, or a config file's */ \
  /* marker for a function it set (see python::ConfigObjects) */                         \
  KEY(std::optional<std::string>, on_starting)                                           \
  KEY(std::optional<std::string>, on_reload)                                             \
  KEY(std::optional<std::string>, when_ready)                                            \
  KEY(std::optional<std::string>, pre_fork)                                              \
  KEY(std::optional<std::string>, post_fork)                                             \
  KEY(std::optional<std::string>, post_worker_init)                                      \
  KEY(std::optional<std::string>, worker_int)                                            \
  KEY(std::optional<std::string>, worker_abort)                                          \
  KEY(std::optional<std::string>, pre_exec)                                              \
  KEY(std::optional<std::string>, pre_request)                                           \
  KEY(std::optional<std::string>, post_request)                                          \
  KEY(std::optional<std::string>, child_exit)                                            \
  KEY(std::optional<std::string>, worker_exit)                                           \
  KEY(std::optional<std::string>, nworkers_changed)                                      \
  KEY(std::optional<std::string>, on_exit)                                               \
  /* SSL */                                                                              \
  KEY(int64_t, ssl_version)

// A hook setting's key: a named type so hook code says what it takes.
using HookKey = SettingKey<std::optional<std::string>>;

namespace settings {
#define GREENFORK_DECLARE_SETTING_KEY(type, setting) \
  inline constexpr SettingKey<type> setting{#setting};
GREENFORK_SETTING_KEYS(GREENFORK_DECLARE_SETTING_KEY)
#undef GREENFORK_DECLARE_SETTING_KEY
}  // namespace settings

// Calls visit(key) for every key above (for tests and checks that must see them all).
template <class Visitor>
constexpr void for_each_setting_key(Visitor&& visit) {
#define GREENFORK_VISIT_SETTING_KEY(type, setting) visit(settings::setting);
  GREENFORK_SETTING_KEYS(GREENFORK_VISIT_SETTING_KEY)
#undef GREENFORK_VISIT_SETTING_KEY
}

}  // namespace gf::config
