// Values Gunicorn derives from several settings (its Config properties): the process name,
// sendfile switch, environment pairs and Python path entries (the worker class: workers/).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace gf::config {

// proc_name, or default_proc_name when proc_name is None.
std::string effective_proc_name(const Config& config);
// Gunicorn's quirk: any explicit `sendfile` value disables it; when unset, $SENDFILE
// (y/1/yes/true, any case) decides, and it is on when SENDFILE is not set at all.
bool sendfile_enabled(const Config& config);
// raw_env split at the first '='; throws ConfigError("environment setting 'X' invalid").
std::vector<std::pair<std::string, std::string>> environment_pairs(const Config& config);
// pythonpath split on ',' and stripped, empty entries dropped.
std::vector<std::string> python_path_entries(const Config& config);

}  // namespace gf::config
