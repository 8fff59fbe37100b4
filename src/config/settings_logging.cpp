// Settings of the Logging and Process Naming sections.
#include "config/settings_sections.hpp"

namespace gf::config::table {
namespace {

void add_log_file_settings(std::vector<SettingSpec>& out) {
  out.push_back({
      .name = "accesslog",
      .section = kLogging,
      .flags = {"--access-logfile"},
      .metavar = "FILE",
      .type = ValueType::kOptionalString,
      .help = "The Access log file to write to.",
      .doc = "`-` means stdout; None (the default) disables access logging.",
  });
  out.push_back({
      .name = "disable_redirect_access_to_syslog",
      .section = kLogging,
      .flags = {"--disable-redirect-access-to-syslog"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Disable redirect access logs to syslog.",
      .doc = "Keeps access log lines out of syslog when --log-syslog is on.",
      .support = kLater,
      .unsupported_reason = kWhySyslog,
  });
  out.push_back({
      .name = "access_log_format",
      .section = kLogging,
      .flags = {"--access-logformat"},
      .metavar = "STRING",
      .type = ValueType::kString,
      .default_value = str(R"(%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s")"),
      .help = "The access log format.",
      .doc = "Python %-style atoms: h remote address, l `-`, u user, t date, r request line, "
             "m method, U path, q query, H protocol, s status, B/b response length, f referer, "
             "a user agent, T/M/D/L request time, p pid, {header}i, {header}o, {var}e.",
  });
  out.push_back({
      .name = "errorlog",
      .section = kLogging,
      .flags = {"--error-logfile", "--log-file"},
      .metavar = "FILE",
      .type = ValueType::kString,
      .default_value = str("-"),
      .help = "The Error log file to write to.",
      .doc = "`-` means stderr. --log-file is an alias.",
  });
  out.push_back({
      .name = "loglevel",
      .section = kLogging,
      .flags = {"--log-level"},
      .metavar = "LEVEL",
      .type = ValueType::kChoice,
      .default_value = str("info"),
      .choices = {"debug", "info", "warning", "error", "critical"},
      .help = "The granularity of Error log outputs.",
      .doc = "One of debug, info, warning, error, critical (any case).",
  });
  out.push_back({
      .name = "capture_output",
      .section = kLogging,
      .flags = {"--capture-output"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Redirect stdout/stderr to specified file in errorlog.",
      .doc = "Only has an effect when errorlog is a file, not `-`.",
  });
}

void add_python_logging_settings(std::vector<SettingSpec>& out) {
  out.push_back({
      .name = "logger_class",
      .section = kLogging,
      .flags = {"--logger-class"},
      .metavar = "STRING",
      .type = ValueType::kString,
      .default_value = str("gunicorn.glogging.Logger"),
      .help = "The logger you want to use to log events in Gunicorn.",
      .doc = "A Python path to a class that behaves like gunicorn.glogging.Logger; `simple` "
             "means the default.",
      .support = kLater,
      .unsupported_reason = kWhyPythonLogging,
  });
  out.push_back({
      .name = "logconfig",
      .section = kLogging,
      .flags = {"--log-config"},
      .metavar = "FILE",
      .type = ValueType::kOptionalString,
      .help = "The log config file to use.",
      .doc = "A Python logging fileConfig file.",
      .support = kLater,
      .unsupported_reason = kWhyPythonLogging,
  });
  out.push_back({
      .name = "logconfig_dict",
      .section = kLogging,
      .type = ValueType::kPythonDict,
      .default_value = str("{}"),
      .help = "The log config dictionary to use.",
      .doc = "A logging dictConfig dict merged over Gunicorn's defaults; wins over logconfig "
             "and logconfig_json.",
      .support = kLater,
      .unsupported_reason = kWhyPythonLogging,
  });
  out.push_back({
      .name = "logconfig_json",
      .section = kLogging,
      .flags = {"--log-config-json"},
      .metavar = "FILE",
      .type = ValueType::kOptionalString,
      .help = "The log config to read config from a JSON file.",
      .doc = "A JSON file in logging dictConfig format.",
      .support = kLater,
      .unsupported_reason = kWhyPythonLogging,
  });
}

void add_syslog_settings(std::vector<SettingSpec>& out) {
  out.push_back({
      .name = "syslog_addr",
      .section = kLogging,
      .flags = {"--log-syslog-to"},
      .metavar = "SYSLOG_ADDR",
      .type = ValueType::kString,
      .default_value = str("udp://localhost:514"),
      .help = "Address to send syslog messages.",
      .doc = "`unix://PATH#stream`, `unix://PATH#dgram`, `udp://HOST:PORT` or "
             "`tcp://HOST:PORT`.",
      .support = kLater,
      .unsupported_reason = kWhySyslog,
  });
  out.push_back({
      .name = "syslog",
      .section = kLogging,
      .flags = {"--log-syslog"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Send Gunicorn logs to syslog.",
      .doc = "Error and access logs also go to syslog_addr.",
      .support = kLater,
      .unsupported_reason = kWhySyslog,
  });
  out.push_back({
      .name = "syslog_prefix",
      .section = kLogging,
      .flags = {"--log-syslog-prefix"},
      .metavar = "SYSLOG_PREFIX",
      .type = ValueType::kOptionalString,
      .help = "Makes Gunicorn use the parameter as program-name in the syslog entries.",
      .doc = "Entries are tagged `gunicorn.<prefix>.error` / `.access`; proc_name by default.",
      .support = kLater,
      .unsupported_reason = kWhySyslog,
  });
  out.push_back({
      .name = "syslog_facility",
      .section = kLogging,
      .flags = {"--log-syslog-facility"},
      .metavar = "SYSLOG_FACILITY",
      .type = ValueType::kString,
      .default_value = str("user"),
      .help = "Syslog facility name.",
      .doc = "e.g. `user`, `daemon`, `local0`.",
      .support = kLater,
      .unsupported_reason = kWhySyslog,
  });
  out.push_back({
      .name = "enable_stdio_inheritance",
      .section = kLogging,
      .flags = {"-R", "--enable-stdio-inheritance"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Enable stdio inheritance.",
      .doc = "With --daemon, keep stdout/stderr when they are not a terminal.",
  });
}

void add_statsd_settings(std::vector<SettingSpec>& out) {
  out.push_back({
      .name = "statsd_host",
      .section = kLogging,
      .flags = {"--statsd-host"},
      .metavar = "STATSD_ADDR",
      .type = ValueType::kOptionalString,
      .help = "The address of the StatsD server to log to.",
      .doc = "`HOST:PORT` (port 8125 by default) or `unix://PATH`.",
      .support = kLater,
      .unsupported_reason = kWhyStatsd,
  });
  out.push_back({
      .name = "dogstatsd_tags",
      .section = kLogging,
      .flags = {"--dogstatsd-tags"},
      .metavar = "DOGSTATSD_TAGS",
      .type = ValueType::kString,
      .default_value = str(""),
      .help = "A comma-delimited list of datadog statsd (dogstatsd) tags to append to statsd "
              "metrics.",
      .doc = "Appended to every metric as `|#tags`.",
      .support = kLater,
      .unsupported_reason = kWhyStatsd,
  });
  out.push_back({
      .name = "statsd_prefix",
      .section = kLogging,
      .flags = {"--statsd-prefix"},
      .metavar = "STATSD_PREFIX",
      .type = ValueType::kString,
      .default_value = str(""),
      .help = "Prefix to use when emitting statsd metrics.",
      .doc = "A trailing `.` is added when missing.",
      .support = kLater,
      .unsupported_reason = kWhyStatsd,
  });
  out.push_back({
      .name = "enable_backlog_metric",
      .section = kLogging,
      .flags = {"--enable-backlog-metric"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Enable socket backlog metric.",
      .doc = "Emits the `gunicorn.backlog` histogram (Linux only).",
      .support = kLater,
      .unsupported_reason = kWhyStatsd,
  });
}

void add_process_naming_settings(std::vector<SettingSpec>& out) {
  out.push_back({
      .name = "proc_name",
      .section = kProcessNaming,
      .flags = {"-n", "--name"},
      .metavar = "STRING",
      .type = ValueType::kOptionalString,
      .help = "A base to use with setproctitle for process naming.",
      .doc = "Shown in `ps` as `greenfork: master [NAME]`; default_proc_name when unset.",
  });
  out.push_back({
      .name = "default_proc_name",
      .section = kProcessNaming,
      .type = ValueType::kString,
      .default_value = str("gunicorn"),
      .help = "Internal setting that is adjusted for each type of application.",
      .doc = "Set to APP_MODULE when one is given.",
  });
}

}  // namespace

void add_logging_settings(std::vector<SettingSpec>& out) {
  add_log_file_settings(out);
  add_python_logging_settings(out);
  add_syslog_settings(out);
  add_statsd_settings(out);
  add_process_naming_settings(out);
}

}  // namespace gf::config::table
