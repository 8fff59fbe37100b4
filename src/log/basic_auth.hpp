// The user name of an HTTP Basic "Authorization" header, for the access log's %(u)s atom.
// Only the log needs it: authentication itself is the application's business.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gf::log {

// "Basic dXNlcjpwYXNz" -> "user". nullopt when the header is not Basic, the base64 is invalid
// or the user is empty (Gunicorn logs "-" in all those cases).
std::optional<std::string> basic_auth_user(std::string_view authorization);

// Standard base64 (RFC 4648, '=' padding optional). nullopt on any character outside the
// alphabet or an impossible length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace gf::log
