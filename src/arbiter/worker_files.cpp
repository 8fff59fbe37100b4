#include "arbiter/worker_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "util/unique_fd.hpp"
#include "workers/privileges.hpp"

namespace gf::arbiter {

void hand_files_to_workers(const config::Config& cfg, const std::vector<net::Listener>& listeners) {
  const auto who = workers::WorkerIdentity::from(cfg);
  if (!who.differs_from_current()) return;
  for (const auto& listener : listeners) {
    if (listener.address().kind == net::BindAddress::Kind::kFd) continue;  // not our file
    try {
      listener.chown_socket_file(who.uid, who.gid);
    } catch (const std::exception&) {
    }
  }
  for (const auto& path :
       {cfg.get(config::settings::errorlog), cfg.get(config::settings::accesslog)}) {
    if (!path || *path == "-") continue;
    util::UniqueFd fd(::open(path->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (fd) (void)::fchown(fd.get(), who.uid, who.gid);
  }
}

}  // namespace gf::arbiter
