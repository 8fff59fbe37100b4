#include "config/derived_settings.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "config/text.hpp"

namespace gf::config {

std::string effective_proc_name(const Config& config) {
  if (auto name = config.get(settings::proc_name)) return *name;
  return config.get(settings::default_proc_name);
}

bool sendfile_enabled(const Config& config) {
  if (config.get(settings::sendfile).has_value()) return false;
  const char* env = std::getenv("SENDFILE");
  if (env == nullptr) return true;
  const std::string word = to_lower(env);
  return word == "y" || word == "1" || word == "yes" || word == "true";
}

std::vector<std::pair<std::string, std::string>> environment_pairs(const Config& config) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const std::string& entry : config.get(settings::raw_env)) {
    const auto equals = entry.find('=');
    if (equals == std::string::npos) {
      throw ConfigError(fmt::format("environment setting '{}' invalid", entry));
    }
    pairs.emplace_back(entry.substr(0, equals), entry.substr(equals + 1));
  }
  return pairs;
}

std::vector<std::string> python_path_entries(const Config& config) {
  std::vector<std::string> entries;
  const std::string pythonpath = config.get(settings::pythonpath);
  for (std::string_view piece : split(pythonpath, ',')) {
    if (const std::string_view entry = strip(piece); !entry.empty()) entries.emplace_back(entry);
  }
  return entries;
}

}  // namespace gf::config
