// Files the master creates that workers running as --user/--group must be able to use later:
// UNIX socket files and the log files (reopened by the workers on USR1).
#pragma once

#include <vector>

#include "config/config.hpp"
#include "net/listener.hpp"

namespace gf::arbiter {

// chowns the UNIX socket files this master bound (not inherited ones) and the error/access log
// files (created when missing, mode 0644) to the workers' user and group. Does nothing when the
// workers keep the master's identity. Failures are ignored, as Gunicorn ignores them: a log
// "file" such as /dev/null may not be ours to give away.
void hand_files_to_workers(const config::Config& cfg, const std::vector<net::Listener>& listeners);

}  // namespace gf::arbiter
