#include "util/startup_context.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

extern char** environ;

namespace gf::util {
namespace {

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) dir = ".";
  std::string out(dir);
  if (out.back() != '/') out += '/';
  out += name;
  return out;
}

// Like Gunicorn's util.getcwd(): prefer $PWD when it is the same directory, so a cwd reached
// through a symlink is re-entered through that symlink after an upgrade.
std::string current_directory() {
  char buf[PATH_MAX];
  std::string real = ::getcwd(buf, sizeof buf) ? buf : ".";
  const char* pwd = std::getenv("PWD");
  if (pwd == nullptr || pwd[0] != '/') return real;
  struct stat a {
  }, b{};
  if (::stat(pwd, &a) == 0 && ::stat(real.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
      a.st_ino == b.st_ino)
    return pwd;
  return real;
}

std::string env_name(std::string_view entry) {
  return std::string(entry.substr(0, entry.find('=')));
}

}  // namespace

StartupContext StartupContext::capture(int argc, char** argv) {
  StartupContext ctx;
  for (int i = 0; i < argc; ++i) ctx.argv.emplace_back(argv[i]);
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) ctx.env.emplace_back(*e);
  ctx.cwd = current_directory();
  const char* path = std::getenv("PATH");
  if (!ctx.argv.empty())
    ctx.executable = resolve_executable(ctx.argv[0], ctx.cwd, path ? path : "/usr/bin:/bin");
  if (ctx.executable.empty()) {
    // argv[0] can be anything an exec caller chose; the kernel's record of the binary is the
    // fallback (it follows the inode, so it is the old binary if the file was replaced).
    char buf[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) ctx.executable.assign(buf, static_cast<size_t>(n));
  }
  return ctx;
}

std::vector<std::string> StartupContext::environment_with(
    const std::vector<std::string>& remove, const std::vector<std::string>& set) const {
  std::vector<std::string> out;
  auto dropped = [&](const std::string& entry) {
    const std::string name = env_name(entry);
    for (const auto& r : remove)
      if (r == name) return true;
    for (const auto& s : set)
      if (env_name(s) == name) return true;
    return false;
  };
  for (const auto& entry : env)
    if (!dropped(entry)) out.push_back(entry);
  out.insert(out.end(), set.begin(), set.end());
  return out;
}

std::string resolve_executable(std::string_view argv0, std::string_view cwd,
                               std::string_view path_env) {
  if (argv0.empty()) return "";
  if (argv0.find('/') != std::string_view::npos) {
    std::string path = argv0.front() == '/' ? std::string(argv0) : join_path(cwd, argv0);
    return is_executable_file(path) ? path : "";
  }
  while (true) {
    size_t colon = path_env.find(':');
    std::string_view dir = path_env.substr(0, colon);
    // An empty PATH entry means the current directory, as for execvp().
    std::string base = dir.empty() ? std::string(cwd) : std::string(dir);
    if (!base.empty() && base.front() != '/') base = join_path(cwd, base);
    std::string candidate = join_path(base, argv0);
    if (is_executable_file(candidate)) return candidate;
    if (colon == std::string_view::npos) return "";
    path_env.remove_prefix(colon + 1);
  }
}

}  // namespace gf::util
