// A request as the application side sees it, whatever protocol carried it (Request), and the
// HTTP/1 framing facts that only the connection needs (RequestFraming). Plain data: python/
// builds the WSGI environ from a Request, log/ the access line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/ascii.hpp"

namespace gf::http {

struct HeaderField {
  std::string name;   // as received ("Content-Type"); compare with iequals or the helpers below
  std::string value;  // stripped of surrounding SP/HTAB

  // The name compared case-insensitively ("content-type", "CONTENT-TYPE" and so on).
  bool is(std::string_view other) const { return util::iequals(name, other); }
  // Gunicorn's spelling (its req.headers and error messages): "CONTENT-TYPE".
  std::string upper_name() const { return util::ascii_upper_copy(name); }
  // HTTP/2's and ASGI's spelling: "content-type".
  std::string lower_name() const { return util::ascii_lower_copy(name); }
};

// What a PROXY protocol v1/v2 header said (REMOTE_ADDR/PORT and PROXY_ADDR/PORT overrides).
struct ProxyInfo {
  std::string protocol;                    // "TCP4", "TCP6", "LOCAL" or "UNSPEC"
  std::optional<std::string> client_addr;  // nullopt for LOCAL/UNSPEC
  std::optional<int> client_port;
  std::optional<std::string> proxy_addr;
  std::optional<int> proxy_port;
};

// The meaning of a request, after Gunicorn's header policy has run.
struct Request {
  std::string method;
  std::string target;  // the request-target exactly as sent (RAW_URI)
  std::string path;    // target's path, still percent-encoded ("*" for "*", "" for authority-form)
  std::string query;   // after '?', without the fragment
  std::string fragment;
  int version_major = 1;
  int version_minor = 1;
  std::vector<HeaderField> headers;  // in arrival order; dropped underscore headers removed
  std::string url_scheme = "http";   // from TLS or a trusted proxy's secure_scheme_headers
  std::optional<ProxyInfo> proxy;    // set when a PROXY header preceded this request

  // The first header with this name (any case), or nullptr.
  const std::string* find(std::string_view name) const {
    for (const auto& h : headers)
      if (h.is(name)) return &h.value;
    return nullptr;
  }
  bool http11_or_later() const {
    return version_major > 1 || (version_major == 1 && version_minor >= 1);
  }
  std::string protocol() const {
    return "HTTP/" + std::to_string(version_major) + "." + std::to_string(version_minor);
  }
};

enum class BodyKind { kNone, kLength, kChunked };

// How an HTTP/1 message is delimited and what it asks of the connection.
struct RequestFraming {
  BodyKind body_kind = BodyKind::kNone;
  uint64_t content_length = 0;   // valid when body_kind == kLength
  bool keep_alive = false;       // Gunicorn's should_close() negated
  bool expect_continue = false;  // HTTP/1.1 "Expect: 100-continue"
  bool upgrade = false;          // "Connection: upgrade" with an Upgrade header (WebSocket, h2c)
};

// What the HTTP/1 parser delivers: the request and its framing.
struct RequestHead : Request {
  RequestFraming framing;
};

}  // namespace gf::http
