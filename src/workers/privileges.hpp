// -u/--user, -g/--group, --initgroups: the identity a worker takes on right after fork, before
// it loads any application code, while the master keeps its own (usually root, to bind ports).
#pragma once

#include <sys/types.h>

#include "config/config.hpp"

namespace gf::workers {

struct WorkerIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
  bool initgroups = false;

  static WorkerIdentity from(const config::Config& cfg);
  // True when workers run as someone other than this process (files must be handed over).
  bool differs_from_current() const;
};

// Switches this process to `who`: group first (initgroups() for the user's supplementary groups
// with --initgroups, otherwise an empty supplementary list so root's groups do not leak), then
// the user - after setuid() the process could no longer change its groups. A no-op for ids the
// process already has. Throws std::system_error.
void switch_identity(const WorkerIdentity& who);

}  // namespace gf::workers
