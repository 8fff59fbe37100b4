// How one setting is spelled in user-facing text (--print-config, --help, warnings, docs):
// its value as Gunicorn prints it and its flags.
#pragma once

#include <string>

#include "config/settings_table.hpp"

namespace gf::config {

// Python str() of the value; hooks print as "<name()>" like Gunicorn prints callables.
std::string display_value(const SettingSpec& spec, const Value& value);
// "-w/--workers"; "" for config-file-only settings.
std::string flags_text(const SettingSpec& spec);

}  // namespace gf::config
