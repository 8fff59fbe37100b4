#include "arbiter/pidfile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/unique_fd.hpp"

namespace gf::arbiter {
namespace {

std::optional<pid_t> read_pid(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  const std::string content = text.str();
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(content.c_str(), &end, 10);
  if (errno != 0 || end == content.c_str() || value <= 0) return std::nullopt;
  while (*end == '\n' || *end == ' ' || *end == '\r' || *end == '\t') ++end;
  if (*end != '\0') return std::nullopt;
  return static_cast<pid_t>(value);
}

std::string directory_of(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

}  // namespace

std::optional<pid_t> Pidfile::live_pid() const {
  auto pid = read_pid(path_);
  if (!pid) return std::nullopt;
  // EPERM: the process exists but belongs to someone else - still a live master.
  if (::kill(*pid, 0) == 0 || errno == EPERM) return pid;
  return std::nullopt;
}

void Pidfile::create(pid_t pid) {
  if (auto other = live_pid(); other && *other != pid) {
    throw StartupError(
        fmt::format("Already running on PID {} (or pid file '{}' is stale)", *other, path_));
  }
  const std::string dir = directory_of(path_);
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) {
    throw StartupError(fmt::format("{} doesn't exist. Can't create pidfile.", dir));
  }
  // A temp file in the same directory renamed over the target: readers never see a partial pid.
  std::string temp = (std::filesystem::path(dir) / ".greenfork-pid-XXXXXX").string();
  util::UniqueFd fd(::mkstemp(temp.data()));
  if (!fd) {
    throw StartupError(fmt::format("Can't create pidfile '{}': {}", path_, std::strerror(errno)));
  }
  const std::string text = fmt::format("{}\n", pid);
  const bool written =
      ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
      ::fchmod(fd.get(), 0644) == 0;  // mkstemp makes 0600; others read pids
  if (!written || ::rename(temp.c_str(), path_.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    throw StartupError(fmt::format("Can't create pidfile '{}': {}", path_, std::strerror(saved)));
  }
  pid_ = pid;
}

void Pidfile::rename(const std::string& new_path) {
  const pid_t pid = pid_;
  unlink();
  path_ = new_path;
  create(pid);
}

void Pidfile::unlink() {
  if (pid_ == 0) return;
  if (read_pid(path_) == pid_) ::unlink(path_.c_str());
  pid_ = 0;
}

}  // namespace gf::arbiter
