// What the request target and Host header mean to an application, whatever the protocol or the
// app interface (WSGI's PATH_INFO/SCRIPT_NAME/SERVER_NAME, ASGI's path/root_path/server).
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace gf::http {

// "%41/b%2fc%zz" -> "A/b/c%zz": %XX with two hex digits decoded, anything else kept.
std::string percent_decode(std::string_view path);

// Host header -> (name, port); the port is "" when the header names none ("[::1]:8000" ->
// ("[::1]", "8000")).
std::pair<std::string, std::string> split_host(std::string_view host);

// The path below the mount point `script_name` (SCRIPT_NAME / root_path), still encoded.
// Throws RequestError(500, "ConfigurationProblem") when `path` does not start with it, as
// Gunicorn answers a misconfigured SCRIPT_NAME.
std::string_view path_below_script_name(std::string_view path, std::string_view script_name);

}  // namespace gf::http
