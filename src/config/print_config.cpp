// --print-config output (Gunicorn's Config.__str__).
#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "config/command_line.hpp"
#include "config/setting_text.hpp"
#include "config/settings_table.hpp"

namespace gf::config {

std::string print_config_text(const Config& config) {
  std::vector<const SettingSpec*> specs;
  size_t width = 0;
  for (const SettingSpec& spec : settings_table()) {
    specs.push_back(&spec);
    width = std::max(width, spec.name.size());
  }
  std::sort(specs.begin(), specs.end(),
            [](const SettingSpec* a, const SettingSpec* b) { return a->name < b->name; });
  std::string text;
  for (const SettingSpec* spec : specs) {
    text += fmt::format("{:<{}} = {}\n", spec->name, width,
                        display_value(*spec, config.get(spec->name)));
  }
  return text;
}

}  // namespace gf::config
