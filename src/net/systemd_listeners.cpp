#include "net/systemd_listeners.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace gf::net {
namespace {

long env_number(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return 0;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  return *end == '\0' ? value : 0;
}

}  // namespace

int take_systemd_listen_fds() {
  // LISTEN_PID guards against a parent's variables leaking into an unrelated child.
  if (env_number("LISTEN_PID") != static_cast<long>(::getpid())) return 0;
  const long count = env_number("LISTEN_FDS");
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  return count > 0 ? static_cast<int>(count) : 0;
}

std::vector<Listener> adopt_systemd_listeners(int count, int backlog) {
  std::vector<Listener> listeners;
  for (int fd = kSystemdFirstFd; fd < kSystemdFirstFd + count; ++fd)
    listeners.push_back(Listener::adopt(fd, backlog));
  return listeners;
}

}  // namespace gf::net
