#include "http/target.hpp"

#include <fmt/format.h>

#include "http/char_classes.hpp"
#include "http/errors.hpp"

namespace gf::http {

std::string percent_decode(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size()) {
      const int hi = chars::hex_value(path[i + 1]), lo = chars::hex_value(path[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += path[i];
  }
  return out;
}

std::pair<std::string, std::string> split_host(std::string_view host) {
  const size_t colon = host.rfind(':');
  const size_t bracket = host.rfind(']');  // "[::1]:8000": the port follows the bracket
  if (colon == std::string_view::npos || (bracket != std::string_view::npos && colon < bracket))
    return {std::string(host), ""};
  return {std::string(host.substr(0, colon)), std::string(host.substr(colon + 1))};
}

std::string_view path_below_script_name(std::string_view path, std::string_view script_name) {
  if (script_name.empty()) return path;
  if (!path.starts_with(script_name))
    throw RequestError(
        500, "ConfigurationProblem",
        fmt::format("Request path '{}' does not start with SCRIPT_NAME '{}'", path, script_name));
  path.remove_prefix(script_name.size());
  return path;
}

}  // namespace gf::http
