// Settings of the SSL and HTTP/2 sections.
#include "config/settings_sections.hpp"

namespace gf::config::table {
namespace {

void add_tls_settings(std::vector<SettingSpec>& out) {
  out.push_back({
      .name = "keyfile",
      .section = kSsl,
      .flags = {"--keyfile"},
      .metavar = "FILE",
      .type = ValueType::kOptionalString,
      .help = "SSL key file.",
      .doc = "TLS is enabled when keyfile or certfile is set.",
      .support = kRefused,
      .unsupported_reason = kWhyTls,
  });
  out.push_back({
      .name = "certfile",
      .section = kSsl,
      .flags = {"--certfile"},
      .metavar = "FILE",
      .type = ValueType::kOptionalString,
      .help = "SSL certificate file.",
      .doc = "TLS is enabled when keyfile or certfile is set.",
      .support = kRefused,
      .unsupported_reason = kWhyTls,
  });
  out.push_back({
      .name = "ssl_version",
      .section = kSsl,
      .flags = {"--ssl-version"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(2),
      .help = "SSL version to use (deprecated and ignored).",
      .doc = "Gunicorn ignores it and warns when it is changed; use ssl_context instead.",
      .support = kLater,
      .unsupported_reason = kWhyTls,
  });
  out.push_back({
      .name = "cert_reqs",
      .section = kSsl,
      .flags = {"--cert-reqs"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(0),
      .help = "Whether client certificate is required (see stdlib ssl module's).",
      .doc = "0 = none, 1 = optional, 2 = required.",
      .support = kLater,
      .unsupported_reason = kWhyTls,
  });
  out.push_back({
      .name = "ca_certs",
      .section = kSsl,
      .flags = {"--ca-certs"},
      .metavar = "FILE",
      .type = ValueType::kOptionalString,
      .help = "CA certificates file.",
      .doc = "Used to verify client certificates.",
      .support = kLater,
      .unsupported_reason = kWhyTls,
  });
  out.push_back({
      .name = "suppress_ragged_eofs",
      .section = kSsl,
      .flags = {"--suppress-ragged-eofs"},
      .type = ValueType::kBool,
      .default_value = true,
      .help = "Suppress ragged EOFs (see stdlib ssl module's).",
      .doc = "Passed to wrap_socket.",
      .support = kLater,
      .unsupported_reason = kWhyTls,
  });
  out.push_back({
      .name = "do_handshake_on_connect",
      .section = kSsl,
      .flags = {"--do-handshake-on-connect"},
      .type = ValueType::kBool,
      .default_value = false,
      .help = "Whether to perform SSL handshake on socket connect (see stdlib ssl module's).",
      .doc = "Passed to wrap_socket.",
      .support = kLater,
      .unsupported_reason = kWhyTls,
  });
  out.push_back({
      .name = "ciphers",
      .section = kSsl,
      .flags = {"--ciphers"},
      .metavar = "CIPHERS",
      .type = ValueType::kOptionalString,
      .help = "SSL Cipher suite to use, in the format of an OpenSSL cipher list.",
      .doc = "Python's default cipher list is used when unset.",
      .support = kLater,
      .unsupported_reason = kWhyTls,
  });
}

void add_http2_settings(std::vector<SettingSpec>& out) {
  out.push_back({
      .name = "http_protocols",
      .section = kHttp2,
      .flags = {"--http-protocols"},
      .metavar = "STRING",
      .type = ValueType::kCommaList,
      .default_value = list({"h1"}),
      .choices = {"h1", "h2", "h3"},
      .help = "HTTP protocol versions to support (comma-separated, order = preference).",
      .doc = "`h1`, `h2`, `h3` (reserved); offered through ALPN. No repeats.",
      .support = kLater,
      .unsupported_reason = kWhyHttp2,
  });
  out.push_back({
      .name = "http2_cleartext",
      .section = kHttp2,
      .flags = {"--http2-cleartext"},
      .metavar = "MODE",
      .type = ValueType::kChoice,
      .default_value = str("off"),
      .choices = {"off", "prior-knowledge", "upgrade", "both"},
      .aliases = {{"true", "prior-knowledge"}, {"false", "off"}},
      .help = "Enable HTTP/2 over cleartext TCP (h2c) for trusted peers.",
      .doc = "`off`, `prior-knowledge`, `upgrade` or `both`; only for peers in "
             "forwarded_allow_ips and ignored with TLS.",
      .support = kLater,
      .unsupported_reason = kWhyHttp2,
  });
  out.push_back({
      .name = "http2_max_concurrent_streams",
      .section = kHttp2,
      .flags = {"--http2-max-concurrent-streams"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(100),
      .help = "Maximum number of concurrent HTTP/2 streams per connection.",
      .doc = "SETTINGS_MAX_CONCURRENT_STREAMS.",
      .support = kLater,
      .unsupported_reason = kWhyHttp2,
  });
  out.push_back({
      .name = "http2_initial_window_size",
      .section = kHttp2,
      .flags = {"--http2-initial-window-size"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(65535),
      .help = "Initial HTTP/2 flow control window size.",
      .doc = "SETTINGS_INITIAL_WINDOW_SIZE.",
      .support = kLater,
      .unsupported_reason = kWhyHttp2,
  });
  out.push_back({
      .name = "http2_max_frame_size",
      .section = kHttp2,
      .flags = {"--http2-max-frame-size"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(16384),
      .min_value = 16384,
      .max_value = 16777215,
      .help = "Maximum HTTP/2 frame payload size.",
      .doc = "SETTINGS_MAX_FRAME_SIZE, 16384..16777215.",
      .support = kLater,
      .unsupported_reason = kWhyHttp2,
  });
  out.push_back({
      .name = "http2_max_header_list_size",
      .section = kHttp2,
      .flags = {"--http2-max-header-list-size"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(65536),
      .help = "Maximum size of HTTP/2 header list.",
      .doc = "SETTINGS_MAX_HEADER_LIST_SIZE; 0 = unlimited.",
      .support = kLater,
      .unsupported_reason = kWhyHttp2,
  });
}

}  // namespace

void add_tls_http2_settings(std::vector<SettingSpec>& out) {
  add_tls_settings(out);
  add_http2_settings(out);
}

}  // namespace gf::config::table
