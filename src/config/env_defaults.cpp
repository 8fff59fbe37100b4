#include "config/env_defaults.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "config/config.hpp"
#include "config/python_int.hpp"
#include "config/settings_table.hpp"
#include "config/value_parser.hpp"

namespace gf::config::env_defaults {
namespace {

const char* env(const char* name) {
  return std::getenv(name);
}

[[noreturn]] void reject(std::string_view setting, std::string_view variable, std::string_view text,
                         std::string_view expected) {
  throw ConfigError(
      fmt::format("Invalid value for {}: '{}' (from {}; {})", setting, text, variable, expected));
}

bool same_file(const char* a, const char* b) {
  struct stat sa {};
  struct stat sb {};
  return ::stat(a, &sa) == 0 && ::stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

}  // namespace

Value bind() {
  if (const char* port = env("PORT")) return StringList{fmt::format("0.0.0.0:{}", port)};
  return StringList{"127.0.0.1:8000"};
}

Value workers() {
  const char* text = env("WEB_CONCURRENCY");
  if (text == nullptr) return int64_t{1};
  // Gunicorn reads it with int(), i.e. base 10, then validates it as a positive integer.
  const auto number = parse_python_int(text, 10);
  if (!number || *number < 0) {
    reject("workers", "WEB_CONCURRENCY", text, "expected a positive integer");
  }
  return *number;
}

Value forwarded_allow_ips() {
  const char* text = env("FORWARDED_ALLOW_IPS");
  const SettingSpec& spec = *find_setting(settings::forwarded_allow_ips.name);
  const std::string raw = text != nullptr ? text : "127.0.0.1,::1";
  try {
    return parse_value(spec, raw);
  } catch (const InvalidValue& e) {
    reject(spec.name, "FORWARDED_ALLOW_IPS", raw, e.what());
  }
}

Value virtualenv() {
  const char* path = env("VIRTUAL_ENV");
  if (path == nullptr || *path == '\0') return std::monostate{};
  return std::string(path);
}

Value chdir() {
  namespace fs = std::filesystem;
  std::error_code error;
  const std::string cwd = fs::current_path(error).string();
  // Like Gunicorn's util.getcwd(): keep the symlinked spelling the shell used when it is the
  // same directory.
  const char* pwd = env("PWD");
  const bool use_pwd = pwd != nullptr && *pwd == '/' && same_file(pwd, cwd.c_str());
  std::string path = fs::path(use_pwd ? pwd : cwd).lexically_normal().string();
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

Value user() {
  return static_cast<int64_t>(geteuid());
}

Value group() {
  return static_cast<int64_t>(getegid());
}

Value control_socket() {
  namespace fs = std::filesystem;
  std::error_code error;
  const char* runtime_dir = env("XDG_RUNTIME_DIR");
  if (runtime_dir != nullptr && *runtime_dir != '\0' && fs::is_directory(runtime_dir, error)) {
    return (fs::path(runtime_dir) / "gunicorn.ctl").string();
  }
  const char* home = env("HOME");
  const std::string base = home != nullptr ? home : "~";
  return (fs::path(base) / ".gunicorn" / "gunicorn.ctl").string();
}

}  // namespace gf::config::env_defaults
