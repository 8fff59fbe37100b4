// Settings of the Server Mechanics section (including greenfork's own `virtualenv`).
#include "config/env_defaults.hpp"
#include "config/settings_sections.hpp"

namespace gf::config::table {
namespace {

void add_process_settings(std::vector<SettingSpec>& out) {
  out.push_back({
      .name = "preload_app",
      .section = kServerMechanics,
      .flags = {"--preload"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Load application code before the worker processes are forked.",
      .doc = "Saves memory through copy-on-write and speeds up boot, at the cost of not being "
             "able to reload the code by restarting workers.",
  });
  out.push_back({
      .name = "sendfile",
      .section = kServerMechanics,
      .flags = {"--no-sendfile"},
      .type = ValueType::kBool,
      .action = CliAction::kStoreFalse,
      .help = "Disables the use of sendfile().",
      .doc = "When unset (None), the SENDFILE environment variable decides (y/1/yes/true "
             "enable it) and sendfile is used otherwise. As in Gunicorn, any explicit value "
             "disables sendfile.",
  });
  out.push_back({
      .name = "reuse_port",
      .section = kServerMechanics,
      .flags = {"--reuse-port"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Set the SO_REUSEPORT flag on the listening socket.",
      .doc = "When the platform supports it the master does not bind; each worker binds its "
             "own sockets.",
  });
  out.push_back({
      .name = "chdir",
      .section = kServerMechanics,
      .flags = {"--chdir"},
      .metavar = "CHDIR",
      .type = ValueType::kDirectory,
      .dynamic_default = env_defaults::chdir,
      .default_doc = "the current directory",
      .help = "Change directory to specified directory before loading apps.",
      .doc = "The directory must exist; it is also put first on sys.path.",
  });
  out.push_back({
      .name = "daemon",
      .section = kServerMechanics,
      .flags = {"-D", "--daemon"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Daemonize the Gunicorn process.",
      .doc = "Double fork, new session, umask 022, stdin/stdout/stderr to /dev/null (see "
             "enable_stdio_inheritance). The working directory is kept. Skipped in a USR2 "
             "re-exec child (GUNICORN_FD set).",
  });
  out.push_back({
      .name = "raw_env",
      .section = kServerMechanics,
      .flags = {"-e", "--env"},
      .metavar = "ENV",
      .type = ValueType::kStringList,
      .default_value = list({}),
      .help = "Set environment variables in the execution environment.",
      .doc = "`KEY=VALUE` strings, set in the master and the workers. Repeatable.",
  });
  out.push_back({
      .name = "pidfile",
      .section = kServerMechanics,
      .flags = {"-p", "--pid"},
      .metavar = "FILE",
      .type = ValueType::kOptionalString,
      .help = "A filename to use for the PID file.",
      .doc = "No PID file is written when unset. Written atomically (mode 0644) after start, "
             "removed at exit; start-up fails while it names a live process.",
  });
  out.push_back({
      .name = "worker_tmp_dir",
      .section = kServerMechanics,
      .flags = {"--worker-tmp-dir"},
      .metavar = "DIR",
      .type = ValueType::kOptionalString,
      .help = "A directory to use for the worker heartbeat temporary file.",
      .doc = "greenfork keeps heartbeats in shared memory and writes no file, but the "
             "directory must exist, as in Gunicorn.",
  });
  out.push_back({
      .name = "user",
      .section = kServerMechanics,
      .flags = {"-u", "--user"},
      .metavar = "USER",
      .type = ValueType::kUser,
      .dynamic_default = env_defaults::user,
      .default_doc = "os.geteuid()",
      .help = "Switch worker processes to run as this user.",
      .doc = "A user id or a user name.",
  });
  out.push_back({
      .name = "group",
      .section = kServerMechanics,
      .flags = {"-g", "--group"},
      .metavar = "GROUP",
      .type = ValueType::kGroup,
      .dynamic_default = env_defaults::group,
      .default_doc = "os.getegid()",
      .help = "Switch worker process to run as this group.",
      .doc = "A group id or a group name.",
  });
  out.push_back({
      .name = "umask",
      .section = kServerMechanics,
      .flags = {"-m", "--umask"},
      .metavar = "INT",
      .type = ValueType::kOctalInt,
      .default_value = num(0),
      .help = "A bit mask for the file mode on files written by Gunicorn.",
      .doc = "Affects UNIX socket permissions. Accepts `0`, `0xFF` and `0022` (octal) forms.",
  });
  out.push_back({
      .name = "initgroups",
      .section = kServerMechanics,
      .flags = {"--initgroups"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "If true, set the worker process's group access list with all of the groups of "
              "which the specified username is a member, plus the specified group id.",
      .doc = "Calls initgroups() for the worker user; --group stays the primary group.",
  });
  out.push_back({
      .name = "tmp_upload_dir",
      .section = kServerMechanics,
      .metavar = "DIR",
      .type = ValueType::kOptionalString,
      .help = "Directory to store temporary request data as they are read.",
      .doc = "Legacy; kept for compatibility.",
  });
}

void add_proxy_settings(std::vector<SettingSpec>& out) {
  out.push_back({
      .name = "secure_scheme_headers",
      .section = kServerMechanics,
      .type = ValueType::kStringMap,
      .default_value = StringMap{{"X-FORWARDED-PROTOCOL", "ssl"},
                                 {"X-FORWARDED-PROTO", "https"},
                                 {"X-FORWARDED-SSL", "on"}},
      .help = "A dictionary containing headers and values that the front-end proxy uses to "
              "indicate HTTPS requests.",
      .doc = "Upper-case header names mapped to the exact value that means https. Used only "
             "for peers in forwarded_allow_ips; headers that are present but disagree make "
             "the request fail with 400.",
  });
  out.push_back({
      .name = "forwarded_allow_ips",
      .section = kServerMechanics,
      .flags = {"--forwarded-allow-ips"},
      .metavar = "STRING",
      .type = ValueType::kAddressList,
      .dynamic_default = env_defaults::forwarded_allow_ips,
      .default_doc = "'127.0.0.1,::1', or $FORWARDED_ALLOW_IPS when set",
      .help = "Front-end's IP addresses or networks from which allowed to handle set secure "
              "headers. (comma separated).",
      .doc = "IPv4/IPv6 addresses or networks, or `*` to trust everyone. UNIX socket peers are "
             "always trusted.",
  });
  out.push_back({
      .name = "pythonpath",
      .section = kServerMechanics,
      .flags = {"--pythonpath"},
      .metavar = "STRING",
      .type = ValueType::kOptionalString,
      .help = "A comma-separated list of directories to add to the Python path.",
      .doc = "e.g. `/home/djangoprojects/myproject,/home/python/mylibrary`.",
  });
  out.push_back({
      .name = "paste",
      .section = kServerMechanics,
      .flags = {"--paste", "--paster"},
      .metavar = "STRING",
      .type = ValueType::kOptionalString,
      .help = "Load a PasteDeploy config file.",
      .doc = "`file.ini` or `file.ini#section`; the application is loaded with PasteDeploy.",
  });
  out.push_back({
      .name = "proxy_protocol",
      .section = kServerMechanics,
      .flags = {"--proxy-protocol"},
      .metavar = "MODE",
      .type = ValueType::kChoice,
      .action = CliAction::kOptionalValue,
      .default_value = str("off"),
      .choices = {"off", "v1", "v2", "auto"},
      .aliases = {{"true", "auto"}, {"1", "auto"}, {"false", "off"}, {"0", "off"}, {"none", "off"}},
      .optional_value = "auto",
      .help = "Enable PROXY protocol support.",
      .doc = "`off`, `v1`, `v2` or `auto` (also true/false/1/0/none). A bare --proxy-protocol "
             "means `auto`. Only peers in proxy_allow_ips may send the header.",
  });
  out.push_back({
      .name = "proxy_allow_ips",
      .section = kServerMechanics,
      .flags = {"--proxy-allow-from"},
      .metavar = "STRING",
      .type = ValueType::kAddressList,
      .default_value = list({"127.0.0.1", "::1"}),
      .help = "Front-end's IP addresses or networks from which allowed accept proxy requests "
              "(comma separated).",
      .doc = "Addresses, networks or `*`. UNIX socket peers are always allowed.",
  });
  out.push_back({
      .name = "protocol",
      .section = kServerMechanics,
      .flags = {"--protocol"},
      .metavar = "STRING",
      .type = ValueType::kChoice,
      .default_value = str("http"),
      .choices = {"http", "uwsgi"},
      .help = "The protocol for incoming connections.",
      .doc = "`http`, or `uwsgi` for nginx's uwsgi_pass binary protocol.",
      .supported_choices = {"http"},
  });
  out.push_back({
      .name = "uwsgi_allow_ips",
      .section = kServerMechanics,
      .flags = {"--uwsgi-allow-from"},
      .metavar = "STRING",
      .type = ValueType::kAddressList,
      .default_value = list({"127.0.0.1", "::1"}),
      .help = "IPs allowed to send uWSGI protocol requests (comma separated).",
      .doc = "Addresses or `*`. UNIX socket peers are always allowed.",
      .support = kLater,
      .unsupported_reason = kWhyUwsgi,
  });
  out.push_back({
      .name = "raw_paste_global_conf",
      .section = kServerMechanics,
      .flags = {"--paste-global"},
      .metavar = "CONF",
      .type = ValueType::kStringList,
      .default_value = list({}),
      .help = "Set a PasteDeploy global config variable in key=value form.",
      .doc = "Repeatable; `\\=` escapes an `=` inside the key or value.",
  });
}

void add_http_parsing_settings(std::vector<SettingSpec>& out) {
  out.push_back({
      .name = "permit_obsolete_folding",
      .section = kServerMechanics,
      .flags = {"--permit-obsolete-folding"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Permit requests employing obsolete HTTP line folding mechanism.",
      .doc = "Continuation lines are joined with a space instead of answering 400.",
  });
  out.push_back({
      .name = "strip_header_spaces",
      .section = kServerMechanics,
      .flags = {"--strip-header-spaces"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Strip spaces present between the header name and the the `:`.",
      .doc = "Unsafe and deprecated; it allows request smuggling behind some proxies.",
  });
  out.push_back({
      .name = "permit_unconventional_http_method",
      .section = kServerMechanics,
      .flags = {"--permit-unconventional-http-method"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Permit HTTP methods not matching conventions, such as IANA registration "
              "guidelines.",
      .doc = "Allows lower-case methods, `#`, and lengths outside 3..20; the method must still "
             "be a token.",
  });
  out.push_back({
      .name = "permit_unconventional_http_version",
      .section = kServerMechanics,
      .flags = {"--permit-unconventional-http-version"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Permit HTTP version not matching conventions of 2023.",
      .doc = "Allows versions outside [1.0, 2.0); the form must still be `HTTP/d.d`.",
  });
  out.push_back({
      .name = "casefold_http_method",
      .section = kServerMechanics,
      .flags = {"--casefold-http-method"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Transform received HTTP methods to uppercase.",
      .doc = "Legacy behaviour.",
  });
  out.push_back({
      .name = "forwarder_headers",
      .section = kServerMechanics,
      .flags = {"--forwarder-headers"},
      .metavar = "STRING",
      .type = ValueType::kCommaList,
      .default_value = list({"SCRIPT_NAME", "PATH_INFO"}),
      .help = "A list containing upper-case header field names that the front-end proxy "
              "(see forwarded-allow-ips) sets, to be used in WSGI environment.",
      .doc = "Header names containing `_` that a trusted proxy may set even though header_map "
             "would drop them. `*` allows all.",
  });
  out.push_back({
      .name = "header_map",
      .section = kServerMechanics,
      .flags = {"--header-map"},
      .metavar = "STRING",
      .type = ValueType::kChoice,
      .default_value = str("drop"),
      .choices = {"drop", "refuse", "dangerous"},
      .help = "Configure how header field names are mapped into environ.",
      .doc = "For header names containing `_`: `drop` removes them silently, `refuse` answers "
             "400, `dangerous` maps them anyway.",
  });
  out.push_back({
      .name = "root_path",
      .section = kServerMechanics,
      .flags = {"--root-path"},
      .metavar = "STRING",
      .type = ValueType::kString,
      .default_value = str(""),
      .help = "The root path for the application (ASGI scope root_path).",
      .doc = "Used when the application is mounted below a path prefix.",
  });
  out.push_back({
      .name = "virtualenv",
      .section = kServerMechanics,
      .flags = {"--virtualenv"},
      .metavar = "PATH",
      .type = ValueType::kOptionalString,
      .dynamic_default = env_defaults::virtualenv,
      .default_doc = "$VIRTUAL_ENV, or None",
      .help = "The virtualenv whose packages the application uses (greenfork only).",
      .doc = "greenfork embeds the interpreter, so it cannot rely on being started by the "
             "virtualenv's python. Its site-packages are used when its Python version matches "
             "the embedded one; otherwise startup fails with a clear error.",
  });
}

}  // namespace

void add_mechanics_settings(std::vector<SettingSpec>& out) {
  add_process_settings(out);
  add_proxy_settings(out);
  add_http_parsing_settings(out);
}

}  // namespace gf::config::table
