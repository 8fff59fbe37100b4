// The master's PID file (--pid): refuses to start over a live master, written atomically, removed
// only while it still names this process. rename() moves it (USR2 upgrades: `.2` / `.oldbin`).
#pragma once

#include <sys/types.h>

#include <optional>
#include <stdexcept>
#include <string>

namespace gf::arbiter {

// Start-up problems the operator must fix; main prints "Error: <what()>" and exits 1.
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Pidfile {
 public:
  explicit Pidfile(std::string path) : path_(std::move(path)) {}
  Pidfile(const Pidfile&) = delete;
  Pidfile& operator=(const Pidfile&) = delete;
  // Removes the file if it still holds our pid (a new master may have taken the name over).
  ~Pidfile() { unlink(); }

  // Writes `pid`. Throws StartupError "Already running on PID N (or pid file 'f' is stale)" when
  // the file names another live process, or when its directory is missing. A file naming a dead
  // process (or holding garbage) is stale and replaced.
  void create(pid_t pid);
  // Moves to `new_path`: the old file is removed (if still ours) and the new one written.
  void rename(const std::string& new_path);
  void unlink();

  const std::string& path() const { return path_; }

  // The pid in the file if that process exists (kill(pid, 0) succeeds or is EPERM).
  std::optional<pid_t> live_pid() const;

 private:
  std::string path_;
  pid_t pid_ = 0;  // what we wrote; 0 until create()
};

}  // namespace gf::arbiter
