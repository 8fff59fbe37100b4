#include "arbiter/daemonize.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "python/embed/interpreter.hpp"

namespace gf::arbiter {
namespace {

void fork_and_leave_parent() {
  std::fflush(nullptr);  // the parent's buffered output must not be written twice
  // A config file may have started Python in the master: keep its locks sane across fork.
  python::Interpreter::before_fork();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    python::Interpreter::after_fork_parent();
    throw std::runtime_error(std::string("fork: ") + std::strerror(err));
  }
  if (pid > 0) ::_exit(0);
  python::Interpreter::after_fork_child();
}

}  // namespace

void daemonize(bool enable_stdio_inheritance) {
  if (std::getenv("GUNICORN_FD") != nullptr) return;
  fork_and_leave_parent();
  ::setsid();  // a new session: no controlling terminal, no SIGHUP when the shell exits
  fork_and_leave_parent();  // not a session leader, so opening a tty never acquires one again
  ::umask(022);

  const int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd < 0) return;
  ::dup2(null_fd, STDIN_FILENO);  // never interactive input
  for (int fd : {STDOUT_FILENO, STDERR_FILENO}) {
    // -R keeps output that goes to a file or pipe; a terminal is always detached.
    if (!enable_stdio_inheritance || ::isatty(fd)) ::dup2(null_fd, fd);
  }
  if (null_fd > STDERR_FILENO) ::close(null_fd);
}

}  // namespace gf::arbiter
