#include "config/command_line.hpp"

#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#include "config/argument_parser.hpp"
#include "config/settings_table.hpp"
#include "config/shell_words.hpp"

namespace gf::config {
namespace {

ParsedArguments parse_env_arguments() {
  const char* text = std::getenv("GUNICORN_CMD_ARGS");
  if (text == nullptr) return {};
  try {
    const std::vector<std::string> words = split_shell_words(text);
    return parse_arguments(words);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(fmt::format("Error: GUNICORN_CMD_ARGS: {}", e.what()));
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("{} (in GUNICORN_CMD_ARGS)", e.what()));
  }
}

const Value* given(const ParsedArguments& parsed, std::string_view name) {
  for (const auto& [spec, value] : parsed.settings) {
    if (spec->name == name) return &value;
  }
  return nullptr;
}

void apply(Config& config, const ParsedArguments& parsed) {
  for (const auto& [spec, value] : parsed.settings) config.set_value(spec->name, value);
}

void load_config_file(Config& config, const ParsedArguments& from_cli,
                      const ParsedArguments& from_env, const ConfigFileLoader& loader) {
  if (!loader) return;
  Config command_line = config;
  apply(command_line, from_env);
  apply(command_line, from_cli);
  const Value* path = given(from_cli, "config");
  if (path == nullptr) path = given(from_env, "config");
  if (path != nullptr) {
    loader(config, command_line, std::get<std::string>(*path), true);
  } else {
    loader(config, command_line, config.get(settings::config), false);
  }
}

void choose_app(CommandLine& result, const ParsedArguments& from_cli,
                const ParsedArguments& from_env) {
  const auto& positionals =
      from_cli.positionals.empty() ? from_env.positionals : from_cli.positionals;
  Config& config = result.config;
  if (positionals.empty()) {
    config.app_uri = config.get(settings::wsgi_app);
    return;
  }
  config.app_uri = positionals.front();
  config.set_value(settings::default_proc_name, positionals.front());
  for (size_t i = 1; i < positionals.size(); ++i) {
    result.warnings.push_back(
        fmt::format("Warning: ignoring extra positional argument '{}'", positionals[i]));
  }
}

}  // namespace

CommandLine parse_command_line(int argc, const char* const* argv) {
  return parse_command_line(argc, argv, ConfigFileLoader{});
}

CommandLine parse_command_line(int argc, const char* const* argv,
                               const ConfigFileLoader& load_config) {
  const std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  CommandLine result;
  // Like argparse, -h/-v act as soon as they are seen, before anything else can fail.
  const ParsedArguments from_cli = parse_arguments(args);
  if (from_cli.show_help || from_cli.show_version) {
    result.show_help = from_cli.show_help;
    result.show_version = from_cli.show_version;
    return result;
  }
  const ParsedArguments from_env = parse_env_arguments();
  if (from_env.show_help || from_env.show_version) {
    result.show_help = from_env.show_help;
    result.show_version = from_env.show_version;
    return result;
  }
  load_config_file(result.config, from_cli, from_env, load_config);
  apply(result.config, from_env);
  apply(result.config, from_cli);
  choose_app(result, from_cli, from_env);
  if (result.config.get(settings::ssl_version) != 2) {
    result.warnings.push_back(
        "Warning: option `ssl_version` is deprecated and it is ignored. Use ssl_context "
        "instead.");
  }
  return result;
}

std::vector<std::string> apply_raw_settings(
    Config& config, const std::vector<std::pair<std::string, std::string>>& raw_settings) {
  std::vector<std::string> skipped;
  for (const auto& [name, raw] : raw_settings) {
    if (find_setting(name) == nullptr) {
      skipped.push_back(name);
    } else {
      config.set(name, raw);
    }
  }
  return skipped;
}

std::string version_text() {
  return fmt::format("greenfork (version {})", GREENFORK_VERSION);
}

}  // namespace gf::config
