// A virtualenv the embedded interpreter should use (--virtualenv or $VIRTUAL_ENV): its
// pyvenv.cfg tells which Python made it, which must match the Python greenfork embeds.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace gf::python {

class Virtualenv {
 public:
  // Reads <dir>/pyvenv.cfg. Throws config::ConfigError when it is missing or names no version,
  // or when that version's major.minor differs from (major, minor).
  static Virtualenv open(const std::string& dir, int major, int minor);

  // "version_info = 3.11.2.final.0" (virtualenv, uv) or "version = 3.11.2" (venv) -> {3, 11}.
  static std::optional<std::pair<int, int>> parse_version(std::string_view pyvenv_cfg);

  const std::string& dir() const { return dir_; }
  std::string python() const { return dir_ + "/bin/python"; }

 private:
  explicit Virtualenv(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace gf::python
