#include "arbiter/reexec.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "log/error_log.hpp"

namespace gf::arbiter {
namespace {

// systemd's protocol numbers inherited sockets from here.
constexpr int kListenFdsStart = 3;

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// LISTEN_FDS promises fds 3..3+N-1, but our listeners may sit anywhere (a HUP can rebind).
// Park them above every fd involved first so no dup2 overwrites a listener not yet moved.
bool move_to_listen_fds_range(const std::vector<int>& fds) {
  const int n = static_cast<int>(fds.size());
  int floor = kListenFdsStart + n;
  for (int fd : fds) floor = std::max(floor, fd + 1);
  std::vector<int> parked;
  for (int fd : fds) {
    int p = ::fcntl(fd, F_DUPFD, floor);
    if (p < 0) return false;
    parked.push_back(p);
  }
  for (int i = 0; i < n; ++i) {
    // dup2 leaves the new fd without FD_CLOEXEC, which is what the exec needs.
    if (::dup2(parked[static_cast<size_t>(i)], kListenFdsStart + i) < 0) return false;
    ::close(parked[static_cast<size_t>(i)]);
  }
  return true;
}

[[noreturn]] void exec_child(const util::StartupContext& startup, const ReexecPlan& plan) {
  auto& log = log::ErrorLog::get();
  if (plan.pre_exec) plan.pre_exec();
  // The signal mask stays blocked across exec on purpose: a signal sent to the new master
  // before its signalfd exists waits for it instead of killing it with the default action.
  if (plan.systemd) {
    if (!move_to_listen_fds_range(plan.listener_fds)) {
      log.error("Re-exec: could not move listeners for LISTEN_FDS: {}", std::strerror(errno));
      ::_exit(127);
    }
  } else {
    for (int fd : plan.listener_fds) ::fcntl(fd, F_SETFD, 0);  // inheritable for this exec
  }
  std::vector<std::string> env = reexec_environment(startup, plan, ::getpid());
  std::vector<std::string> argv = startup.argv;
  if (::chdir(startup.cwd.c_str()) != 0) {
    log.error("Re-exec: can't chdir to '{}': {}", startup.cwd, std::strerror(errno));
    ::_exit(127);
  }
  auto c_env = c_strings(env);
  auto c_argv = c_strings(argv);
  ::execve(startup.executable.c_str(), c_argv.data(), c_env.data());
  const int first_error = errno;
  // The path may be gone (a deploy that removed the old release): the running binary's inode
  // still exists, and restarting it is better than leaving the operator with no new master.
  ::execve("/proc/self/exe", c_argv.data(), c_env.data());
  log.error("Re-exec of '{}' failed: {}", startup.executable, std::strerror(first_error));
  ::_exit(127);
}

}  // namespace

std::vector<std::string> reexec_environment(const util::StartupContext& startup,
                                            const ReexecPlan& plan, pid_t child_pid) {
  std::vector<std::string> set{"GUNICORN_PID=" + std::to_string(plan.old_master)};
  if (plan.systemd) {
    set.push_back("LISTEN_PID=" + std::to_string(child_pid));
    set.push_back("LISTEN_FDS=" + std::to_string(plan.listener_fds.size()));
  } else {
    std::string fds;
    for (int fd : plan.listener_fds) fds += (fds.empty() ? "" : ",") + std::to_string(fd);
    set.push_back("GUNICORN_FD=" + fds);
  }
  // A promoted master started with these; they describe its own start, not this hand-over.
  return startup.environment_with(
      {"GUNICORN_FD", "GUNICORN_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"}, set);
}

pid_t spawn_reexec(const util::StartupContext& startup, const ReexecPlan& plan) {
  pid_t pid = ::fork();
  if (pid < 0) {
    log::ErrorLog::get().error("fork() for re-exec failed: {}", std::strerror(errno));
    return -1;
  }
  if (pid == 0) exec_child(startup, plan);
  return pid;
}

}  // namespace gf::arbiter
