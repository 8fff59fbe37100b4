#include "config/settings_table.hpp"

#include <algorithm>
#include <map>

#include "config/settings_sections.hpp"

namespace gf::config {
namespace {

struct Table {
  std::vector<SettingSpec> specs;
  std::map<std::string_view, const SettingSpec*, std::less<>> by_name;
  std::map<std::string_view, const SettingSpec*, std::less<>> by_flag;
};

Table build_table() {
  Table table;
  table::add_core_settings(table.specs);
  table::add_debugging_settings(table.specs);
  table::add_mechanics_settings(table.specs);
  table::add_logging_settings(table.specs);
  table::add_hook_settings(table.specs);
  table::add_tls_http2_settings(table.specs);
  table::add_dirty_control_settings(table.specs);
  // Indexes are built after the vector stops growing, so the pointers stay valid.
  for (const SettingSpec& spec : table.specs) {
    table.by_name.emplace(spec.name, &spec);
    for (std::string_view flag : spec.flags) table.by_flag.emplace(flag, &spec);
  }
  return table;
}

const Table& the_table() {
  static const Table table = build_table();
  return table;
}

const SettingSpec* lookup(const std::map<std::string_view, const SettingSpec*, std::less<>>& index,
                          std::string_view key) {
  auto it = index.find(key);
  return it == index.end() ? nullptr : it->second;
}

}  // namespace

std::span<const SettingSpec> settings_table() {
  return the_table().specs;
}

const SettingSpec* find_setting(std::string_view name) {
  return lookup(the_table().by_name, name);
}

const SettingSpec* find_setting_by_flag(std::string_view flag) {
  return lookup(the_table().by_flag, flag);
}

std::vector<std::string_view> settings_sections() {
  std::vector<std::string_view> sections;
  for (const SettingSpec& spec : settings_table()) {
    if (std::find(sections.begin(), sections.end(), spec.section) == sections.end()) {
      sections.push_back(spec.section);
    }
  }
  return sections;
}

CliAction cli_action(const SettingSpec& spec) {
  if (spec.action != CliAction::kByType) return spec.action;
  switch (spec.type) {
    case ValueType::kBool:
      return CliAction::kStoreTrue;
    case ValueType::kStringList:
      return CliAction::kAppend;
    default:
      return CliAction::kStore;
  }
}

Value default_value(const SettingSpec& spec) {
  return spec.dynamic_default ? spec.dynamic_default() : spec.default_value;
}

}  // namespace gf::config
