// -D/--daemon: detach the master from its terminal and session before it starts, the classic
// double fork, as Gunicorn does it.
#pragma once

namespace gf::arbiter {

// Forks twice with setsid() in between (the caller's process and the first child _exit(0)), sets
// umask 022 and points stdin/stdout/stderr at /dev/null. With enable_stdio_inheritance (-R)
// stdin still goes to /dev/null but stdout/stderr are kept unless they are terminals, so shell
// redirections keep working. The working directory is kept (--chdir applies). Does nothing when
// GUNICORN_FD is set: a re-exec'd master is already detached and its parent waits for it.
void daemonize(bool enable_stdio_inheritance);

}  // namespace gf::arbiter
