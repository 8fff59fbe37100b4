#include "python/embed/virtualenv.hpp"
#include "util/ascii.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "config/config.hpp"

namespace gf::python {

static std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

using util::iequals;

static std::optional<std::pair<int, int>> major_minor(std::string_view version) {
  int major = 0, minor = 0;
  const char* end = version.data() + version.size();
  auto [p1, e1] = std::from_chars(version.data(), end, major);
  if (e1 != std::errc() || p1 == end || *p1 != '.') return std::nullopt;
  auto [p2, e2] = std::from_chars(p1 + 1, end, minor);
  if (e2 != std::errc()) return std::nullopt;
  return std::make_pair(major, minor);
}

std::optional<std::pair<int, int>> Virtualenv::parse_version(std::string_view text) {
  std::optional<std::pair<int, int>> version, version_info;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = trim(line.substr(0, eq));
    std::string_view value = trim(line.substr(eq + 1));
    if (iequals(key, "version_info"))
      version_info = major_minor(value);
    else if (iequals(key, "version"))
      version = major_minor(value);
  }
  // version_info is the interpreter's own version; "version" may be virtualenv's in old files.
  return version_info ? version_info : version;
}

Virtualenv Virtualenv::open(const std::string& dir, int major, int minor) {
  std::string cfg_path = dir + "/pyvenv.cfg";
  std::ifstream in(cfg_path);
  if (!in)
    throw config::ConfigError(
        fmt::format("virtualenv {} is not usable: {} not found", dir, cfg_path));
  std::stringstream content;
  content << in.rdbuf();
  auto version = parse_version(content.str());
  if (!version)
    throw config::ConfigError(
        fmt::format("virtualenv {} is not usable: {} names no Python version", dir, cfg_path));
  if (version->first != major || version->second != minor)
    throw config::ConfigError(
        fmt::format("virtualenv {} was made with Python {}.{}, but greenfork embeds Python {}.{}",
                    dir, version->first, version->second, major, minor));
  return Virtualenv(dir);
}

}  // namespace gf::python
