// The parsed head of one HTTP/1.x request, after Gunicorn's header policy has run.
// Plain data: the python/ layer builds the WSGI environ from it, the log/ layer the access line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gf::http {

struct HeaderField {
  std::string name;   // upper-cased, as Gunicorn stores it ("CONTENT-TYPE")
  std::string value;  // stripped of surrounding SP/HTAB
};

// What a PROXY protocol v1/v2 header said (REMOTE_ADDR/PORT and PROXY_ADDR/PORT overrides).
struct ProxyInfo {
  std::string protocol;                    // "TCP4", "TCP6", "LOCAL" or "UNSPEC"
  std::optional<std::string> client_addr;  // nullopt for LOCAL/UNSPEC
  std::optional<int> client_port;
  std::optional<std::string> proxy_addr;
  std::optional<int> proxy_port;
};

enum class BodyKind { kNone, kLength, kChunked };

struct RequestHead {
  std::string method;
  std::string target;  // the request-target exactly as sent (RAW_URI)
  std::string path;    // target's path, still percent-encoded ("*" for "*", "" for authority-form)
  std::string query;   // after '?', without the fragment
  std::string fragment;
  int version_major = 1;
  int version_minor = 1;
  std::vector<HeaderField> headers;  // in arrival order; dropped underscore headers removed

  BodyKind body_kind = BodyKind::kNone;
  uint64_t content_length = 0;      // valid when body_kind == kLength
  bool keep_alive = false;          // Gunicorn's should_close() negated
  bool expect_continue = false;     // HTTP/1.1 "Expect: 100-continue"
  std::string url_scheme = "http";  // from TLS or a trusted proxy's secure_scheme_headers
  std::optional<ProxyInfo> proxy;   // set when a PROXY header preceded this request

  // First header with this upper-case name, or nullptr.
  const std::string* find(std::string_view upper_name) const {
    for (const auto& h : headers)
      if (h.name == upper_name) return &h.value;
    return nullptr;
  }
  std::string protocol() const {
    return "HTTP/" + std::to_string(version_major) + "." + std::to_string(version_minor);
  }
};

}  // namespace gf::http
