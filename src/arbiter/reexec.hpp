// USR2 binary upgrade, old-master side: fork a child that execs the (possibly replaced) binary
// with the start-up argv/env/cwd and the listening sockets handed over as inherited fds.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "util/startup_context.hpp"

namespace gf::arbiter {

struct ReexecPlan {
  std::vector<int> listener_fds;
  bool systemd = false;  // listeners came from LISTEN_FDS: hand them over the same way
  pid_t old_master = 0;
  std::function<void()> pre_exec;  // run in the forked child just before exec (the hook)
};

// The child's environment: the start-up environment, minus any stale hand-over variables,
// plus GUNICORN_PID and either GUNICORN_FD or LISTEN_FDS/LISTEN_PID (child_pid).
std::vector<std::string> reexec_environment(const util::StartupContext& startup,
                                            const ReexecPlan& plan, pid_t child_pid);

// Forks; the child execs and never returns. Returns the child's pid, or -1 (logged).
pid_t spawn_reexec(const util::StartupContext& startup, const ReexecPlan& plan);

}  // namespace gf::arbiter
