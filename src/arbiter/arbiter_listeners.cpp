// Arbiter: the listening sockets - taken from systemd or an old master, or bound; rebound on
// HUP; with --reuse-port bound again by each worker.
#include <sys/types.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "arbiter/arbiter.hpp"
#include "log/error_log.hpp"
#include "net/bind_address.hpp"
#include "net/inherited_listeners.hpp"
#include "net/systemd_listeners.hpp"

namespace gf::arbiter {
namespace {

std::vector<net::BindAddress> bind_addresses(const config::Config& cfg) {
  std::vector<net::BindAddress> out;
  for (const auto& spec : cfg.get(config::settings::bind))
    out.push_back(net::BindAddress::parse(spec));
  return out;
}

// With --reuse-port each worker binds the TCP addresses itself; UNIX sockets cannot be shared
// that way (SO_REUSEPORT is TCP/UDP only, and each bind would unlink the previous worker's file),
// and fd:// sockets exist once, so the master keeps binding those.
bool bound_by_workers(const config::Config& cfg, const net::BindAddress& address) {
  return cfg.get(config::settings::reuse_port) && address.kind == net::BindAddress::Kind::kTcp;
}

}  // namespace

void Arbiter::open_listeners() {
  const char* inherited = std::getenv("GUNICORN_FD");
  if (const int passed = net::take_systemd_listen_fds(); passed > 0) {
    systemd_ = true;  // the .socket unit owns these: never unlinked at exit
    listeners_ =
        net::adopt_systemd_listeners(passed, static_cast<int>(cfg_.get(config::settings::backlog)));
  } else if (inherited != nullptr && master_pid_ != 0) {
    // The old master's sockets: binding anew would fail (or, with SO_REUSEPORT, split traffic).
    // Empty with --reuse-port and TCP addresses only: the old master's workers bound them all.
    if (*inherited != '\0')
      listeners_ = net::adopt_all(net::parse_fd_list(inherited),
                                  static_cast<int>(cfg_.get(config::settings::backlog)));
    ::unsetenv("GUNICORN_FD");  // the workers and the app must not take these fds for theirs
  } else {
    std::vector<net::BindAddress> own;
    for (auto& address : bind_addresses(cfg_))
      if (!bound_by_workers(cfg_, address)) own.push_back(std::move(address));
    listeners_ = net::Listener::bind_all(own, static_cast<int>(cfg_.get(config::settings::backlog)),
                                         static_cast<mode_t>(cfg_.get(config::settings::umask)));
  }
  // The TCP addresses of a re-exec child's argv are bound by its workers too (the old master's
  // workers bound theirs, so GUNICORN_FD carries none of them); systemd passes every socket.
  per_worker_sockets_ = cfg_.get(config::settings::reuse_port) && !systemd_;
}

bool Arbiter::rebind_listeners(const config::Config& next) {
  // Unchanged addresses keep their sockets, inherited and systemd ones included.
  if (next.get(config::settings::bind) == cfg_.get(config::settings::bind) &&
      next.get(config::settings::reuse_port) == cfg_.get(config::settings::reuse_port))
    return true;
  // An address that stays keeps its socket: closing and binding it again would refuse
  // connections in between (and fail while the old workers still listen on it).
  std::vector<net::Listener> kept;
  std::vector<net::BindAddress> fresh;
  std::vector<bool> reused(listeners_.size(), false);
  std::vector<std::pair<size_t, bool>> order;  // index into kept (true) or fresh (false)
  for (auto& address : bind_addresses(next)) {
    if (bound_by_workers(next, address)) continue;
    size_t i = 0;
    while (i < listeners_.size() && (reused[i] || listeners_[i].address().url() != address.url()))
      ++i;
    if (i < listeners_.size()) {
      reused[i] = true;
      order.emplace_back(i, true);
    } else {
      order.emplace_back(fresh.size(), false);
      fresh.push_back(std::move(address));
    }
  }
  std::vector<net::Listener> bound;
  try {
    net::BindOptions options;
    options.backlog = static_cast<int>(next.get(config::settings::backlog));
    options.unix_umask = static_cast<mode_t>(next.get(config::settings::umask));
    options.retries = 1;  // the master must not stall while the old workers keep serving
    bound = net::Listener::bind_all(fresh, options);
  } catch (const std::exception& e) {
    log::ErrorLog::get().error("Can't bind the new addresses: {}", e.what());
    return false;
  }
  std::vector<net::Listener> next_listeners;
  for (auto [index, is_kept] : order)
    next_listeners.push_back(std::move(is_kept ? listeners_[index] : bound[index]));
  // The old workers keep their copies of the dropped sockets until they are retired.
  const bool unlink = may_unlink_sockets();
  for (size_t i = 0; i < listeners_.size(); ++i) {
    if (reused[i]) continue;
    const bool ours = listeners_[i].address().kind != net::BindAddress::Kind::kFd;
    unlink&& ours ? listeners_[i].close_and_unlink() : listeners_[i].close();
  }
  listeners_ = std::move(next_listeners);
  per_worker_sockets_ = next.get(config::settings::reuse_port) && !systemd_;
  log::ErrorLog::get().info("Listening at: {} ({})", listening_urls(next), pid_);
  return true;
}

std::string Arbiter::listening_urls(const config::Config& cfg) const {
  std::string urls;
  auto add = [&urls](const std::string& url) { urls += (urls.empty() ? "" : ",") + url; };
  for (const auto& l : listeners_) add(l.url());
  // Bound later by each worker, so the configured text (a port 0 stays 0).
  if (per_worker_sockets_)
    for (const auto& address : bind_addresses(cfg))
      if (bound_by_workers(cfg, address)) add(address.url());
  return urls;
}

std::vector<net::Listener> Arbiter::bind_worker_sockets() {
  // In the child: its own SO_REUSEPORT sockets for the TCP addresses, plus the master's UNIX
  // and fd:// listeners (this process's copies, moved out of the master's state it inherited).
  std::vector<net::BindAddress> addresses;
  for (auto& address : bind_addresses(cfg_))
    if (bound_by_workers(cfg_, address)) addresses.push_back(std::move(address));
  net::BindOptions options;
  options.backlog = static_cast<int>(cfg_.get(config::settings::backlog));
  options.unix_umask = static_cast<mode_t>(cfg_.get(config::settings::umask));
  options.reuse_port = true;
  std::vector<net::Listener> own = net::Listener::bind_all(addresses, options);
  for (auto& l : listeners_) own.push_back(std::move(l));
  listeners_.clear();
  return own;
}

}  // namespace gf::arbiter
