// A bound, listening socket (TCP v4/v6, UNIX, or an inherited fd) as the master creates it
// before forking, with Gunicorn's options, retries and log lines.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/bind_address.hpp"
#include "util/unique_fd.hpp"

namespace gf::net {

// Binding failed for good (after the retries). what() is the last error, already logged.
class BindError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BindOptions {
  int backlog = 2048;
  mode_t unix_umask = 0;  // umask applied while bind() creates a UNIX socket file
  bool reuse_port = false;
  int retries = 5;  // attempts per address, like Gunicorn
  std::chrono::milliseconds retry_delay{1000};
};

class Listener {
 public:
  // Binds every address in order, retrying busy or unavailable ones with Gunicorn's log lines
  // ("Connection in use: ('127.0.0.1', 8000)", "connection to ... failed: ...",
  // "Retrying in 1 second.") through log::ErrorLog::get(). After the last attempt logs
  // "Can't connect to ..." and throws BindError (the caller exits 1). Errors that retrying
  // cannot fix (a path that is not a socket, a bad fd://) throw BindError at once.
  static std::vector<Listener> bind_all(const std::vector<BindAddress>& addresses,
                                        const BindOptions& options);
  static std::vector<Listener> bind_all(
      const std::vector<BindAddress>& addresses, int backlog, mode_t unix_umask, int retries = 5,
      std::chrono::milliseconds retry_delay = std::chrono::seconds(1));

  // One attempt, no logging: throws std::system_error (bind/listen errno) or BindError.
  static Listener bind(const BindAddress& address, const BindOptions& options);

  // Takes ownership of an inherited socket (fd://N, GUNICORN_FD, systemd LISTEN_FDS). It must be
  // a SOCK_STREAM socket; it gets Gunicorn's options and listen(backlog), so a bound but not
  // yet listening socket works and a connected one is refused. Throws BindError.
  static Listener adopt(int fd, int backlog);

  Listener(Listener&&) noexcept = default;
  Listener& operator=(Listener&&) noexcept = default;

  int fd() const { return fd_.get(); }
  int family() const { return family_; }  // AF_INET, AF_INET6 or AF_UNIX
  bool is_unix() const { return family_ == AF_UNIX; }
  const BindAddress& address() const { return address_; }  // as configured (fd:// if adopted)

  // From getsockname(), so port 0 shows the real port. SERVER_NAME / SERVER_PORT material:
  // host() is the numeric ip without brackets (the path for UNIX sockets), port_text() is ""
  // for UNIX sockets.
  const std::string& host() const { return host_; }
  const std::string& port_text() const { return port_text_; }
  uint16_t port() const { return port_; }

  // For "Listening at: ...": "http://127.0.0.1:8000", "http://[::1]:8000", "unix:/x.sock"
  // ("https://" when tls).
  std::string url(bool tls = false) const;

  // USR2 re-exec passes listeners to the new master: clear FD_CLOEXEC just for that exec.
  void set_inheritable(bool inheritable) const;

  // chown the UNIX socket file (Gunicorn gives it to --user/--group); no-op for TCP.
  void chown_socket_file(uid_t uid, gid_t gid) const;

  void close();             // keeps a UNIX socket file (re-exec child, systemd)
  void close_and_unlink();  // normal shutdown: also removes the UNIX socket file

 private:
  Listener(util::UniqueFd fd, BindAddress address);
  void read_local_address();

  util::UniqueFd fd_;
  BindAddress address_;
  int family_ = AF_UNSPEC;
  std::string host_;
  std::string port_text_;
  uint16_t port_ = 0;
};

}  // namespace gf::net
