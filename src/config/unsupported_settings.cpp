// Which settings in use greenfork does not implement yet (so the caller can warn or stop).
#include <algorithm>

#include <fmt/format.h>

#include "config/command_line.hpp"
#include "config/python_repr.hpp"
#include "config/setting_text.hpp"
#include "config/settings_table.hpp"

namespace gf::config {
namespace {

std::string setting_label(const SettingSpec& spec) {
  if (spec.flags.empty()) return fmt::format("Setting '{}'", spec.name);
  return fmt::format("Setting '{}' ({})", spec.name, flags_text(spec));
}

bool is_supported_choice(const SettingSpec& spec, const Value& value) {
  if (spec.supported_choices.empty()) return true;
  const auto* text = std::get_if<std::string>(&value);
  return text != nullptr && std::find(spec.supported_choices.begin(), spec.supported_choices.end(),
                                      *text) != spec.supported_choices.end();
}

}  // namespace

std::vector<std::string> unsupported_in_use(const Config& config) {
  std::vector<std::string> messages;
  for (const SettingSpec& spec : settings_table()) {
    const Value& value = config.get(spec.name);
    if (value == default_value(spec)) continue;
    if (spec.support == Support::kRefusedUntilSupported) continue;  // see refused_in_use()
    if (spec.support == Support::kNotYetSupported) {
      messages.push_back(fmt::format("{} is not supported yet by greenfork: {}; ignoring it",
                                     setting_label(spec), spec.unsupported_reason));
    } else if (!is_supported_choice(spec, value)) {
      messages.push_back(fmt::format(
          "{} value {} is not supported yet by greenfork: only {} works so far; ignoring it",
          setting_label(spec), python_repr(value), fmt::join(spec.supported_choices, ", ")));
    }
  }
  return messages;
}

std::vector<std::string> refused_in_use(const Config& config) {
  std::vector<std::string> messages;
  for (const SettingSpec& spec : settings_table()) {
    if (spec.support != Support::kRefusedUntilSupported) continue;
    if (config.get(spec.name) == default_value(spec)) continue;
    messages.push_back(
        fmt::format("Error: {} is not supported yet by greenfork ({}); refusing to "
                    "start without it",
                    setting_label(spec), spec.unsupported_reason));
  }
  return messages;
}

}  // namespace gf::config
