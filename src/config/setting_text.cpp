#include "config/setting_text.hpp"

#include "config/python_repr.hpp"
#include "config/text.hpp"

namespace gf::config {

std::string display_value(const SettingSpec& spec, const Value& value) {
  if (spec.type == ValueType::kHook) {
    // A hook set from a config file is kept as "module.function"; the default is a no-op.
    const std::string target = std::holds_alternative<std::string>(value)
                                   ? std::get<std::string>(value)
                                   : std::string(spec.name);
    return "<" + target.substr(target.rfind('.') + 1) + "()>";
  }
  return python_str(value);
}

std::string flags_text(const SettingSpec& spec) {
  return join(spec.flags, "/");
}

}  // namespace gf::config
