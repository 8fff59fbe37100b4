#include "workers/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace gf::workers {
namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

WorkerIdentity WorkerIdentity::from(const config::Config& cfg) {
  return {static_cast<uid_t>(cfg.get(config::settings::user)),
          static_cast<gid_t>(cfg.get(config::settings::group)),
          cfg.get(config::settings::initgroups)};
}

bool WorkerIdentity::differs_from_current() const {
  return uid != ::geteuid() || gid != ::getegid();
}

void switch_identity(const WorkerIdentity& who) {
  const bool change_user = who.uid != ::getuid() || who.uid != ::geteuid();
  const bool change_group = who.gid != ::getgid() || who.gid != ::getegid();
  if (!change_user && !change_group) return;
  const passwd* user = who.initgroups ? ::getpwuid(who.uid) : nullptr;
  if (user != nullptr) {
    if (::initgroups(user->pw_name, who.gid) < 0) throw_errno("initgroups");
  } else if (::geteuid() == 0 && ::setgroups(0, nullptr) < 0) {
    throw_errno("setgroups");  // root's supplementary groups must not follow the worker
  }
  // Gunicorn skips setgid() with --initgroups, leaving the master's primary group in place;
  // the worker gets the group it was asked for either way.
  if (change_group && ::setgid(who.gid) < 0) throw_errno("setgid");
  if (change_user && ::setuid(who.uid) < 0) throw_errno("setuid");
}

}  // namespace gf::workers
