#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "log/error_log.hpp"
#include "net/listener.hpp"
#include "net/peer_address.hpp"

namespace gf::net {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "gf-net-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

BindOptions fast_options() {
  BindOptions o;
  o.backlog = 16;
  o.retries = 1;
  o.retry_delay = 0ms;
  return o;
}

bool connects(const Listener& l) {
  util::UniqueFd c(::socket(l.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(l.fd(), reinterpret_cast<sockaddr*>(&ss), &len);
  return ::connect(c.get(), reinterpret_cast<sockaddr*>(&ss), len) == 0;
}

int int_option(int fd, int level, int name) {
  int v = 0;
  socklen_t len = sizeof v;
  ::getsockopt(fd, level, name, &v, &len);
  return v;
}

void expect_listener_flags(const Listener& l) {
  EXPECT_TRUE(::fcntl(l.fd(), F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(::fcntl(l.fd(), F_GETFD) & FD_CLOEXEC);
  EXPECT_EQ(int_option(l.fd(), SOL_SOCKET, SO_ACCEPTCONN), 1);
  EXPECT_NE(int_option(l.fd(), SOL_SOCKET, SO_REUSEADDR), 0);
}

TEST(Listener, BindsIpv4PortZero) {
  Listener l = Listener::bind(BindAddress::parse("127.0.0.1:0"), fast_options());
  EXPECT_EQ(l.family(), AF_INET);
  EXPECT_NE(l.port(), 0);
  EXPECT_EQ(l.host(), "127.0.0.1");
  EXPECT_EQ(l.port_text(), std::to_string(l.port()));
  EXPECT_EQ(l.url(), "http://127.0.0.1:" + std::to_string(l.port()));
  EXPECT_EQ(l.url(true), "https://127.0.0.1:" + std::to_string(l.port()));
  EXPECT_NE(int_option(l.fd(), IPPROTO_TCP, TCP_NODELAY), 0);
  expect_listener_flags(l);
  EXPECT_TRUE(connects(l));
}

TEST(Listener, BindsIpv6PortZero) {
  try {
    Listener l = Listener::bind(BindAddress::parse("[::1]:0"), fast_options());
    EXPECT_EQ(l.family(), AF_INET6);
    EXPECT_EQ(l.host(), "::1");
    EXPECT_EQ(l.url(), "http://[::1]:" + std::to_string(l.port()));
    expect_listener_flags(l);
    EXPECT_TRUE(connects(l));
  } catch (const std::system_error& e) {
    GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
  }
}

TEST(Listener, ResolvesHostnames) {
  Listener l = Listener::bind(BindAddress::parse("localhost:0"), fast_options());
  EXPECT_TRUE(l.host() == "127.0.0.1" || l.host() == "::1") << l.host();
  EXPECT_TRUE(connects(l));
}

TEST(Listener, UnresolvableHostFailsAfterRetries) {
  log::ErrorLog::get().set_level(log::Level::kCritical);  // keep test output quiet
  EXPECT_THROW(Listener::bind_all({BindAddress::parse("no-such-host.invalid:0")}, 16, 0, 1, 0ms),
               BindError);
  log::ErrorLog::get().set_level(log::Level::kInfo);
}

TEST(Listener, BindsUnixSocketUnderUmask) {
  TempDir dir;
  std::string path = (dir.path() / "app.sock").string();
  BindOptions o = fast_options();
  o.unix_umask = 0077;
  Listener l = Listener::bind(BindAddress::parse("unix:" + path), o);
  EXPECT_TRUE(l.is_unix());
  EXPECT_EQ(l.host(), path);
  EXPECT_EQ(l.port_text(), "");
  EXPECT_EQ(l.url(), "unix:" + path);
  expect_listener_flags(l);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_TRUE(connects(l));
  l.close_and_unlink();
  EXPECT_FALSE(fs::exists(path));
}

TEST(Listener, ReplacesStaleUnixSocket) {
  TempDir dir;
  std::string path = (dir.path() / "stale.sock").string();
  Listener first = Listener::bind(BindAddress::parse("unix:" + path), fast_options());
  first.close();  // leaves the file behind, like a crashed master
  EXPECT_TRUE(fs::exists(path));
  Listener second = Listener::bind(BindAddress::parse("unix://" + path), fast_options());
  EXPECT_TRUE(connects(second));
}

TEST(Listener, RefusesNonSocketPath) {
  TempDir dir;
  auto path = dir.path() / "regular-file";
  { std::ofstream(path) << "data"; }
  log::ErrorLog::get().set_level(log::Level::kCritical);
  try {
    Listener::bind_all({BindAddress::parse("unix:" + path.string())}, 16, 0, 5, 0ms);
    FAIL() << "bound over a regular file";
  } catch (const BindError& e) {
    EXPECT_EQ(std::string(e.what()), "'" + path.string() + "' is not a socket");
  }
  log::ErrorLog::get().set_level(log::Level::kInfo);
  EXPECT_EQ(slurp(path), "data");  // untouched
}

TEST(Listener, RefusesOverlongUnixPath) {
  EXPECT_THROW(Listener::bind(BindAddress::parse("unix:/" + std::string(200, 'x')), fast_options()),
               BindError);
}

TEST(Listener, AdoptsInheritedFd) {
  int raw = ::socket(AF_INET, SOCK_STREAM, 0);  // blocking, inheritable: as a parent leaves it
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(raw, reinterpret_cast<sockaddr*>(&sin), sizeof sin), 0);
  ASSERT_EQ(::listen(raw, 4), 0);
  std::vector<Listener> ls =
      Listener::bind_all({BindAddress::parse("fd://" + std::to_string(raw))}, 16, 0, 1, 0ms);
  ASSERT_EQ(ls.size(), 1u);
  const Listener& l = ls[0];
  EXPECT_EQ(l.fd(), raw);
  EXPECT_EQ(l.address().kind, BindAddress::Kind::kFd);
  EXPECT_EQ(l.host(), "127.0.0.1");
  EXPECT_NE(l.port(), 0);
  expect_listener_flags(l);
  EXPECT_TRUE(connects(l));
}

TEST(Listener, AdoptsBoundButNotListeningSocket) {
  util::UniqueFd raw(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(raw.get(), reinterpret_cast<sockaddr*>(&sin), sizeof sin), 0);
  Listener l = Listener::adopt(raw.release(), 8);
  EXPECT_EQ(int_option(l.fd(), SOL_SOCKET, SO_ACCEPTCONN), 1);
}

TEST(Listener, AdoptRefusesNonSockets) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  util::UniqueFd r(pipe_fds[0]), w(pipe_fds[1]);
  EXPECT_THROW(Listener::adopt(r.get(), 8), BindError);
  util::UniqueFd udp(::socket(AF_INET, SOCK_DGRAM, 0));
  EXPECT_THROW(Listener::adopt(udp.get(), 8), BindError);
  EXPECT_THROW(Listener::adopt(999, 8), BindError);  // not open
  // A connected stream socket cannot listen.
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  util::UniqueFd a(pair[0]), b(pair[1]);
  EXPECT_THROW(Listener::adopt(a.get(), 8), BindError);
}

TEST(Listener, BusyPortIsRetriedThenFails) {
  Listener holder = Listener::bind(BindAddress::parse("127.0.0.1:0"), fast_options());
  TempDir dir;
  auto log_path = dir.path() / "error.log";
  log::ErrorLog& log = log::ErrorLog::get();
  log.configure(log_path.string(), log::Level::kDebug, false);
  auto busy = BindAddress::parse("127.0.0.1:" + holder.port_text());
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(Listener::bind_all({busy}, 16, 0, 2, 10ms), BindError);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 10ms);  // slept once between the 2 tries
  log.configure("-", log::Level::kInfo, false);

  std::string text = slurp(log_path);
  std::string name = "('127.0.0.1', " + holder.port_text() + ")";
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t pos = text.find(needle); pos != std::string::npos;
         pos = text.find(needle, pos + 1)) {
      ++n;
    }
    return n;
  };
  EXPECT_EQ(count("[ERROR] Connection in use: " + name + "\n"), 2u) << text;
  EXPECT_EQ(count("[ERROR] connection to " + name + " failed: [Errno 98] Address already in use\n"),
            2u)
      << text;
  EXPECT_EQ(count("[DEBUG] Retrying in 1 second.\n"), 1u) << text;
  EXPECT_EQ(count("[ERROR] Can't connect to " + name + "\n"), 1u) << text;
}

TEST(Listener, BindAllKeepsOrder) {
  TempDir dir;
  std::string path = (dir.path() / "s.sock").string();
  auto ls = Listener::bind_all(
      {BindAddress::parse("127.0.0.1:0"), BindAddress::parse("unix:" + path)}, fast_options());
  ASSERT_EQ(ls.size(), 2u);
  EXPECT_EQ(ls[0].family(), AF_INET);
  EXPECT_EQ(ls[1].url(), "unix:" + path);
}

TEST(Listener, ReusePortOption) {
  BindOptions o = fast_options();
  o.reuse_port = true;
  Listener a = Listener::bind(BindAddress::parse("127.0.0.1:0"), o);
  Listener b = Listener::bind(BindAddress::parse("127.0.0.1:" + a.port_text()), o);
  EXPECT_EQ(a.port(), b.port());
}

TEST(PeerAddress, FormatsFamilies) {
  sockaddr_storage ss{};
  auto* in = reinterpret_cast<sockaddr_in*>(&ss);
  in->sin_family = AF_INET;
  in->sin_port = htons(54321);
  ::inet_pton(AF_INET, "192.0.2.7", &in->sin_addr);
  PeerAddress p4(ss);
  EXPECT_EQ(p4.ip(), "192.0.2.7");
  EXPECT_EQ(p4.port(), 54321);
  EXPECT_EQ(p4.port_text(), "54321");

  sockaddr_storage ss6{};
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss6);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(80);
  ::inet_pton(AF_INET6, "::ffff:10.0.0.1", &in6->sin6_addr);
  PeerAddress p6(ss6);
  EXPECT_EQ(p6.ip(), "::ffff:10.0.0.1");
  EXPECT_EQ(p6.port_text(), "80");
  auto [ip, port] = peer_address(ss6);
  EXPECT_EQ(ip, "::ffff:10.0.0.1");
  EXPECT_EQ(port, 80);

  sockaddr_storage ssu{};
  ssu.ss_family = AF_UNIX;
  PeerAddress unnamed(ssu, sizeof(sa_family_t));  // what accept() reports for UNIX clients
  EXPECT_EQ(unnamed.ip(), "");
  EXPECT_EQ(unnamed.port_text(), "");
}

}  // namespace
}  // namespace gf::net
