// The error log ("gunicorn.error"): Gunicorn's line format
// "[2026-11-25 16:14:59 +0000] [9614] [INFO] message", to stderr ("-") or a file, filtered by
// --log-level, reopened on USR1. One per process; shared by every layer through ErrorLog::get().
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>

#include "util/unique_fd.hpp"

namespace gf::log {

enum class Level { kDebug = 10, kInfo = 20, kWarning = 30, kError = 40, kCritical = 50 };

class ErrorLog {
 public:
  // The process-wide error log (stderr at INFO until configure() is called).
  static ErrorLog& get();

  // path "-" = stderr. capture_output: dup2 stdout/stderr onto the file (when path != "-").
  // Throws std::runtime_error when the file cannot be opened.
  void configure(const std::string& path, Level level, bool capture_output);
  void reopen();  // USR1: reopen the file (and re-capture stdout/stderr)
  // Refreshes the cached pid printed on every line. Runs automatically in a fork()ed child
  // (pthread_atfork); call it after a raw clone() or anything else that bypasses fork().
  void after_fork();
  void set_level(Level level) { level_ = level; }
  Level level() const { return level_; }
  bool enabled(Level level) const { return level >= level_; }
  int fd() const { return fd_; }  // where lines go (for wsgi.errors)

  void write(Level level, std::string_view message);

  template <typename... Args>
  void log(Level level, fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(level)) write(level, fmt::format(f, std::forward<Args>(args)...));
  }
  // logging.Logger's methods, one per level.
#define GREENFORK_LOG_AT(method, level)                        \
  template <typename... Args>                                  \
  void method(fmt::format_string<Args...> f, Args&&... args) { \
    log(level, f, std::forward<Args>(args)...);                \
  }
  GREENFORK_LOG_AT(debug, Level::kDebug)
  GREENFORK_LOG_AT(info, Level::kInfo)
  GREENFORK_LOG_AT(warning, Level::kWarning)
  GREENFORK_LOG_AT(error, Level::kError)
  GREENFORK_LOG_AT(critical, Level::kCritical)
#undef GREENFORK_LOG_AT

 private:
  ErrorLog();
  void capture_stdio() const;

  std::string path_ = "-";
  Level level_ = Level::kInfo;
  bool capture_output_ = false;
  util::UniqueFd file_;  // the open log file; empty for "-"
  int fd_ = 2;           // file_.get() or 2; its number never changes across reopen()
  int pid_ = 0;
};

// Parses "debug"/"info"/"warning"/"error"/"critical" (case-insensitive); nullopt otherwise.
std::optional<Level> parse_level(std::string_view name);

}  // namespace gf::log
