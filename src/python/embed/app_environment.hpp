// The process environment the app is imported in, as Gunicorn prepares it: --env variables,
// the working directory (--chdir) and sys.path entries (chdir/cwd, then --pythonpath in front).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace gf::python {

class AppEnvironment {
 public:
  // setenv() every raw_env KEY=VALUE (before Py_Initialize, so os.environ sees them too).
  static void set_env_vars(const config::Config& cfg);
  // chdir (throws config::ConfigError when the directory is unusable) and sys.path updates;
  // requires the interpreter and the GIL. Idempotent: entries already on sys.path are skipped.
  static void apply(const config::Config& cfg);
};

// Optional settings may be missing from the table while it grows; treat them as unset.
std::optional<std::string> optional_setting(const config::Config& cfg, std::string_view name);

}  // namespace gf::python
