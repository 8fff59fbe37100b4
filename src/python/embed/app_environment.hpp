// The process environment the app is imported in, as Gunicorn prepares it: --env variables,
// the working directory (--chdir) and sys.path entries (chdir/cwd, then --pythonpath in front).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace gf::python {

namespace app_environment {

// setenv() every raw_env KEY=VALUE (before Py_Initialize, so os.environ sees them too).
void set_env_vars(const config::Config& cfg);
// chdir (throws config::ConfigError when the directory is unusable) and sys.path updates;
// requires the interpreter and the GIL. Idempotent: entries already on sys.path are skipped.
void apply(const config::Config& cfg);

}  // namespace app_environment

// A path-like setting's text, nullopt when it is None or empty (both mean "not given").
std::optional<std::string> non_empty(std::optional<std::string> text);

}  // namespace gf::python
