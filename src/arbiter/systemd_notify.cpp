#include "arbiter/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "log/error_log.hpp"
#include "util/unique_fd.hpp"

namespace gf::arbiter {

bool notify_socket_set() {
  return std::getenv("NOTIFY_SOCKET") != nullptr;
}

bool sd_notify(std::string_view state) {
  const char* env = std::getenv("NOTIFY_SOCKET");
  if (env == nullptr) return false;
  std::string path(env);
  if (path.size() < 2 || (path[0] != '/' && path[0] != '@')) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const size_t room = sizeof addr.sun_path - (path[0] == '/' ? 1 : 0);  // a path needs its NUL
  if (path.size() > room) return false;
  // An abstract name is spelled with a leading '@' but starts with a NUL byte on the wire, and
  // its length is exact (no terminating NUL).
  if (path[0] == '@') path[0] = '\0';
  std::memcpy(addr.sun_path, path.data(), path.size());
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() +
                                          (path[0] == '\0' ? 0 : 1));
  util::UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd || ::sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
                      reinterpret_cast<const sockaddr*>(&addr), len) < 0) {
    log::ErrorLog::get().debug("Exception while invoking sd_notify(): {}", std::strerror(errno));
    return false;
  }
  return true;
}

}  // namespace gf::arbiter
