#include "log/error_log.hpp"
#include "util/ascii.hpp"

#include <pthread.h>
#include <unistd.h>

#include <ctime>

#include "log/fd_output.hpp"
#include "log/log_clock.hpp"

namespace gf::log {
namespace {

// Each level's name as log lines show it; parse_level reads the same names in any case.
constexpr std::pair<Level, std::string_view> kLevelNames[] = {{Level::kDebug, "DEBUG"},
                                                              {Level::kInfo, "INFO"},
                                                              {Level::kWarning, "WARNING"},
                                                              {Level::kError, "ERROR"},
                                                              {Level::kCritical, "CRITICAL"}};

std::string_view level_name(Level level) {
  for (const auto& [known, name] : kLevelNames) {
    if (known == level) return name;
  }
  return "INFO";
}

using util::iequals;

}  // namespace

ErrorLog& ErrorLog::get() {
  static ErrorLog instance;
  return instance;
}

ErrorLog::ErrorLog() : pid_(::getpid()) {
  // Every line carries the pid, and getpid() is a real syscall: cache it and let the fork
  // machinery refresh the cache in children (workers are forked, never exec'd).
  ::pthread_atfork(nullptr, nullptr, [] { ErrorLog::get().after_fork(); });
}

void ErrorLog::after_fork() {
  pid_ = ::getpid();
}

void ErrorLog::configure(const std::string& path, Level level, bool capture_output) {
  level_ = level;
  if (path == "-") {
    fd_ = 2;
    file_.reset();
    path_ = path;
    capture_output_ = false;  // Gunicorn only captures into a real file
    return;
  }
  if (file_) {
    reopen_log_file_onto(path, file_.get());  // keeps fd_ stable for other threads
  } else {
    file_ = open_log_file(path);
  }
  fd_ = file_.get();
  path_ = path;
  capture_output_ = capture_output;
  if (capture_output_) capture_stdio();
}

void ErrorLog::reopen() {
  if (!file_) return;
  reopen_log_file_onto(path_, file_.get());
  if (capture_output_) capture_stdio();
}

void ErrorLog::capture_stdio() const {
  // print() from the app and C-level writes to stdout/stderr land in the error log file.
  ::dup2(file_.get(), STDOUT_FILENO);
  ::dup2(file_.get(), STDERR_FILENO);
}

void ErrorLog::write(Level level, std::string_view message) {
  if (!enabled(level)) return;
  fmt::memory_buffer line;
  std::string_view stamp = error_log_stamp(std::time(nullptr));
  line.append(stamp);
  fmt::format_to(std::back_inserter(line), " [{}] [{}] ", pid_, level_name(level));
  line.append(message);
  line.push_back('\n');
  write_line(fd_, {line.data(), line.size()});
}

std::optional<Level> parse_level(std::string_view name) {
  for (const auto& [level, level_text] : kLevelNames) {
    if (iequals(name, level_text)) return level;
  }
  return std::nullopt;
}

}  // namespace gf::log
