#include "net/listener.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>

#include "log/error_log.hpp"
#include "net/peer_address.hpp"

namespace gf::net {
namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void set_int_option(int fd, int level, int name, int value, const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof value) < 0) throw_errno(what);
}

// Hostnames resolve like Python's bind() on an AF_INET socket (Gunicorn's TCPSocket): IPv4
// first. We also accept a name that only has IPv6 addresses instead of failing.
struct Resolved {
  sockaddr_storage addr{};
  socklen_t len = 0;
  int family = AF_UNSPEC;
};

Resolved resolve(const BindAddress& address) {
  std::string port = std::to_string(address.port);
  auto try_family = [&](int family, int flags, Resolved& out) -> int {
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | flags;
    addrinfo* result = nullptr;
    int rc = ::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &result);
    if (rc != 0) return rc;
    std::memcpy(&out.addr, result->ai_addr, result->ai_addrlen);
    out.len = result->ai_addrlen;
    out.family = result->ai_family;
    ::freeaddrinfo(result);
    return 0;
  };
  Resolved out;
  int rc =
      address.is_ipv6() ? try_family(AF_INET6, AI_NUMERICHOST, out) : try_family(AF_INET, 0, out);
  if (rc != 0 && !address.is_ipv6() && rc != EAI_AGAIN) {
    if (try_family(AF_INET6, 0, out) == 0) return out;
  }
  if (rc != 0) {
    throw std::runtime_error(fmt::format("[Errno {}] {}", rc, ::gai_strerror(rc)));
  }
  return out;
}

void common_options(int fd, const BindOptions& options) {
  set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1, "setsockopt(SO_REUSEADDR)");
  if (options.reuse_port) {
    int one = 1;
    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0 && errno != ENOPROTOOPT &&
        errno != EINVAL) {
      throw_errno("setsockopt(SO_REUSEPORT)");
    }
  }
}

util::UniqueFd bind_tcp(const BindAddress& address, const BindOptions& options) {
  Resolved where = resolve(address);
  util::UniqueFd fd(::socket(where.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket");
  common_options(fd.get(), options);
  // Set on the listener so every accepted socket inherits it (Linux copies it on accept).
  set_int_option(fd.get(), IPPROTO_TCP, TCP_NODELAY, 1, "setsockopt(TCP_NODELAY)");
  // Hand a connection to accept() only once its first bytes have arrived: a worker then never
  // blocks in recv() right after accepting, and clients that connect and stay silent do not
  // occupy a sync worker at all (the kernel accepts them anyway after this many seconds).
  set_int_option(fd.get(), IPPROTO_TCP, TCP_DEFER_ACCEPT, 1, "setsockopt(TCP_DEFER_ACCEPT)");
  // IPV6_V6ONLY stays at the system default, as with Python's sockets: "[::]" is dual-stack
  // on a stock Linux.
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&where.addr), where.len) < 0) {
    throw_errno("bind");
  }
  return fd;
}

void remove_stale_socket_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) < 0) {
    if (errno == ENOENT) return;
    throw_errno("stat");
  }
  if (!S_ISSOCK(st.st_mode)) throw BindError(fmt::format("'{}' is not a socket", path));
  if (::unlink(path.c_str()) < 0 && errno != ENOENT) throw_errno("unlink");
}

util::UniqueFd bind_unix(const BindAddress& address, const BindOptions& options) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (address.path.size() >= sizeof sun.sun_path) {
    throw BindError(fmt::format("unix socket path '{}' is longer than {} bytes", address.path,
                                sizeof sun.sun_path - 1));
  }
  std::memcpy(sun.sun_path, address.path.data(), address.path.size());
  remove_stale_socket_file(address.path);

  util::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket");
  common_options(fd.get(), options);
  // bind() creates the file; --umask decides its mode. The master is single-threaded here, so
  // swapping the process umask briefly is safe.
  mode_t previous = ::umask(options.unix_umask);
  int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun);
  int saved_errno = errno;
  ::umask(previous);
  if (rc < 0) {
    errno = saved_errno;
    throw_errno("bind");
  }
  return fd;
}

std::string errno_text(const std::system_error& e) {
  return fmt::format("[Errno {}] {}", e.code().value(), std::strerror(e.code().value()));
}

}  // namespace

Listener::Listener(util::UniqueFd fd, BindAddress address)
    : fd_(std::move(fd)), address_(std::move(address)) {
  read_local_address();
}

void Listener::read_local_address() {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&ss), &len) < 0) {
    throw_errno("getsockname");
  }
  PeerAddress local(ss, len);
  family_ = local.family();
  host_ = std::string(local.ip());
  port_ = local.port();
  port_text_ = std::string(local.port_text());
}

Listener Listener::bind(const BindAddress& address, const BindOptions& options) {
  if (address.kind == BindAddress::Kind::kFd) {
    return adopt(address.fd, options.backlog);
  }
  util::UniqueFd fd = address.kind == BindAddress::Kind::kUnix ? bind_unix(address, options)
                                                               : bind_tcp(address, options);
  if (::listen(fd.get(), options.backlog) < 0) throw_errno("listen");
  return Listener(std::move(fd), address);
}

Listener Listener::adopt(int fd, int backlog) {
  const std::string name = fmt::format("fd://{}", fd);
  int type = 0;
  socklen_t len = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
    throw BindError(fmt::format("{} is not a socket: {}", name, std::strerror(errno)));
  }
  if (type != SOCK_STREAM) throw BindError(fmt::format("{} is not a stream socket", name));
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
      ::fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
    throw BindError(fmt::format("{}: fcntl failed: {}", name, std::strerror(errno)));
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // harmless if refused
  // Gunicorn listen()s again on inherited sockets; it also refuses connected ones (EINVAL).
  if (::listen(fd, backlog) < 0) {
    throw BindError(fmt::format("{} is not a listening socket: {}", name, std::strerror(errno)));
  }
  BindAddress address;
  address.kind = BindAddress::Kind::kFd;
  address.fd = fd;
  return Listener(util::UniqueFd(fd), std::move(address));
}

std::vector<Listener> Listener::bind_all(const std::vector<BindAddress>& addresses, int backlog,
                                         mode_t unix_umask, int retries,
                                         std::chrono::milliseconds retry_delay) {
  BindOptions options;
  options.backlog = backlog;
  options.unix_umask = unix_umask;
  options.retries = retries;
  options.retry_delay = retry_delay;
  return bind_all(addresses, options);
}

std::vector<Listener> Listener::bind_all(const std::vector<BindAddress>& addresses,
                                         const BindOptions& options) {
  auto& log = log::ErrorLog::get();
  std::vector<Listener> listeners;
  for (const BindAddress& address : addresses) {
    const std::string name = address.describe();
    std::string last_error;
    bool bound = false;
    for (int attempt = 1; attempt <= std::max(options.retries, 1); ++attempt) {
      try {
        listeners.push_back(bind(address, options));
        bound = true;
        break;
      } catch (const BindError& e) {
        log.error("{}", e.what());
        throw;
      } catch (const std::system_error& e) {
        int err = e.code().value();
        if (err == EADDRINUSE) log.error("Connection in use: {}", name);
        if (err == EADDRNOTAVAIL) log.error("Invalid address: {}", name);
        last_error = errno_text(e);
      } catch (const std::runtime_error& e) {
        last_error = e.what();
      }
      log.error("connection to {} failed: {}", name, last_error);
      if (attempt < options.retries) {
        log.debug("Retrying in 1 second.");
        std::this_thread::sleep_for(options.retry_delay);
      }
    }
    if (!bound) {
      log.error("Can't connect to {}", name);
      throw BindError(fmt::format("Can't connect to {}: {}", name, last_error));
    }
  }
  return listeners;
}

std::string Listener::url(bool tls) const {
  const char* scheme = tls ? "https" : "http";
  switch (family_) {
    case AF_UNIX:
      return "unix:" + host_;
    case AF_INET6:
      return fmt::format("{}://[{}]:{}", scheme, host_, port_);
    default:
      return fmt::format("{}://{}:{}", scheme, host_, port_);
  }
}

void Listener::set_inheritable(bool inheritable) const {
  ::fcntl(fd_.get(), F_SETFD, inheritable ? 0 : FD_CLOEXEC);
}

void Listener::chown_socket_file(uid_t uid, gid_t gid) const {
  if (!is_unix() || host_.empty()) return;
  if (::chown(host_.c_str(), uid, gid) < 0) throw_errno("chown");
}

void Listener::close() {
  fd_.reset();
}

void Listener::close_and_unlink() {
  fd_.reset();
  if (is_unix() && !host_.empty()) ::unlink(host_.c_str());
}

}  // namespace gf::net
