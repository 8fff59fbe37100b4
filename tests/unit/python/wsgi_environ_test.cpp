// The environ a request produces (reference §7), inspected from inside a captured app.
#include <gtest/gtest.h>

#include <cstdlib>

#include "http/errors.hpp"
#include "python/wsgi/environ_keys.hpp"
#include "python/wsgi/wsgi_environ.hpp"
#include "python_test_support.hpp"

namespace gf::python {
namespace {

using testing::define_app;
using testing::py;
using testing::serve;

constexpr const char* kCaptureApp =
    "captured = {}\n"
    "def app(environ, start_response):\n"
    "    captured.clear()\n"
    "    captured.update(environ)\n"
    "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
    "    return [b'ok']\n";

class EnvironTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app_.emplace(define_app("py_unit_env", kCaptureApp));
    config::Config cfg;
    handler_.emplace(*app_, cfg, nullptr, false);
    testing::run_python("import py_unit_env");
  }
  std::string env(const std::string& key) { return py("py_unit_env.captured['" + key + "']"); }
  std::string has(const std::string& key) { return py("'" + key + "' in py_unit_env.captured"); }

  std::optional<WsgiApp> app_;
  std::optional<WsgiHandler> handler_;
};

TEST_F(EnvironTest, BasicKeys) {
  auto ex = serve(*handler_,
                  "GET /a%20b/c%2Fd?x=1&y=%41 HTTP/1.1\r\nHost: example.com:8080\r\n"
                  "X-Forwarded-Proto: https\r\nUser-Agent: t\r\n\r\n");
  ASSERT_EQ(ex.thrown, "");
  EXPECT_EQ(ex.response.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_EQ(env("REQUEST_METHOD"), "GET");
  EXPECT_EQ(env("PATH_INFO"), "/a b/c/d");
  EXPECT_EQ(env("RAW_URI"), "/a%20b/c%2Fd?x=1&y=%41");
  EXPECT_EQ(env("QUERY_STRING"), "x=1&y=%41");
  EXPECT_EQ(env("SCRIPT_NAME"), "");
  EXPECT_EQ(env("SERVER_PROTOCOL"), "HTTP/1.1");
  EXPECT_EQ(env("SERVER_NAME"), "127.0.0.1");
  EXPECT_EQ(env("SERVER_PORT"), "8000");
  EXPECT_EQ(env("REMOTE_ADDR"), "127.0.0.1");
  EXPECT_EQ(env("REMOTE_PORT"), "5000");
  EXPECT_EQ(env("HTTP_HOST"), "example.com:8080");
  EXPECT_EQ(env("HTTP_USER_AGENT"), "t");
  EXPECT_EQ(env("wsgi.url_scheme"), "https");  // trusted peer, X-Forwarded-Proto
  EXPECT_EQ(env("wsgi.version"), "(1, 0)");
  EXPECT_EQ(env("wsgi.multithread"), "False");
  EXPECT_EQ(env("wsgi.multiprocess"), "False");
  EXPECT_EQ(env("wsgi.run_once"), "False");
  EXPECT_EQ(env("wsgi.input_terminated"), "True");
  EXPECT_EQ(env("SERVER_SOFTWARE"), std::string("greenfork/") + GREENFORK_VERSION);
  EXPECT_EQ(env("wsgi.file_wrapper"), "<class 'greenfork.FileWrapper'>");
  EXPECT_EQ(env("gunicorn.socket"), "None");  // no fd in this test
  EXPECT_EQ(has("CONTENT_TYPE"), "False");
  EXPECT_EQ(has("REMOTE_USER"), "False");
  EXPECT_EQ(py("all(type(k) is str and (type(v) is str or not k.isupper()) "
               "for k, v in py_unit_env.captured.items())"),
            "True");
}

TEST_F(EnvironTest, ContentHeadersAndRepeatedHeaders) {
  serve(*handler_,
        "POST /p HTTP/1.0\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
        "X-Multi: a\r\nX-Multi: b, c\r\nAccept: */*\r\n\r\nhi");
  EXPECT_EQ(env("CONTENT_TYPE"), "text/plain");
  EXPECT_EQ(env("CONTENT_LENGTH"), "2");
  EXPECT_EQ(has("HTTP_CONTENT_TYPE"), "False");
  EXPECT_EQ(has("HTTP_CONTENT_LENGTH"), "False");
  EXPECT_EQ(env("HTTP_X_MULTI"), "a,b, c");
  EXPECT_EQ(env("SERVER_PROTOCOL"), "HTTP/1.0");
  EXPECT_EQ(env("wsgi.url_scheme"), "http");
}

TEST_F(EnvironTest, Latin1Values) {
  serve(*handler_, "GET /caf%C3%A9 HTTP/1.1\r\nX-Name: caf\xc3\xa9\r\n\r\n");
  // PEP 3333: bytes exposed one code point per byte.
  EXPECT_EQ(py("py_unit_env.captured['PATH_INFO'] == '/caf\\xc3\\xa9'"), "True");
  EXPECT_EQ(py("py_unit_env.captured['HTTP_X_NAME'].encode('latin-1').decode('utf-8')"),
            "caf\xc3\xa9");
}

TEST_F(EnvironTest, ScriptNameFromTrustedHeader) {
  serve(*handler_, "GET /app/x/y HTTP/1.1\r\nSCRIPT_NAME: /app\r\n\r\n");
  EXPECT_EQ(env("SCRIPT_NAME"), "/app");
  EXPECT_EQ(env("PATH_INFO"), "/x/y");
  EXPECT_EQ(env("HTTP_SCRIPT_NAME"), "/app");
}

TEST_F(EnvironTest, ScriptNameMismatchIsAConfigurationProblem) {
  config::Config cfg;
  WsgiEnviron builder(cfg, false);
  http::RequestHead head;
  head.method = "GET";
  head.target = head.path = "/other";
  head.headers.push_back({"SCRIPT_NAME", "/app"});
  http::PeerInfo peer{false, "10.0.0.1", 1234};
  ConnectionInfo conn;
  conn.peer = &peer;
  EnvironSummary summary;
  try {
    builder.build(head, conn, {Py_None, Py_None}, summary);
    FAIL() << "no error";
  } catch (const http::RequestError& e) {
    EXPECT_EQ(e.status(), 500);
    EXPECT_EQ(e.kind(), "ConfigurationProblem");
  }
}

TEST_F(EnvironTest, ScriptNameFromProcessEnvironment) {
  ::setenv("SCRIPT_NAME", "/mnt", 1);
  config::Config cfg;
  WsgiEnviron builder(cfg, true);
  ::unsetenv("SCRIPT_NAME");
  http::RequestHead head;
  head.method = "PATCH";
  head.target = head.path = "/mnt/x%2f";
  http::PeerInfo peer{false, "10.0.0.1", 1234};
  ConnectionInfo conn;
  conn.peer = &peer;
  EnvironSummary summary;
  PyRef env = builder.build(head, conn, {Py_None, Py_None}, summary);
  PyObject* globals = PyModule_GetDict(PyImport_AddModule("__main__"));
  PyDict_SetItemString(globals, "built", env.get());
  EXPECT_EQ(py("built['SCRIPT_NAME']"), "/mnt");
  EXPECT_EQ(py("built['PATH_INFO']"), "/x/");
  EXPECT_EQ(py("built['wsgi.multithread']"), "True");
  EXPECT_EQ(summary.path_info, "/x/");
  EXPECT_EQ(summary.remote_addr, "10.0.0.1");
}

TEST_F(EnvironTest, UnixSocketServerNameFromHost) {
  testing::ServeOptions unix_socket;
  unix_socket.peer = http::PeerInfo{true, "", 0};
  unix_socket.server_name = unix_socket.server_port = "";
  serve(*handler_, "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n", unix_socket);
  EXPECT_EQ(env("SERVER_NAME"), "example.org");
  EXPECT_EQ(env("SERVER_PORT"), "80");
  EXPECT_EQ(env("REMOTE_ADDR"), "");
  EXPECT_EQ(has("REMOTE_PORT"), "False");
  serve(*handler_, "GET / HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n", unix_socket);
  EXPECT_EQ(env("SERVER_NAME"), "[::1]");
  EXPECT_EQ(env("SERVER_PORT"), "8443");
  serve(*handler_, "GET / HTTP/1.0\r\n\r\n", unix_socket);
  EXPECT_EQ(env("SERVER_NAME"), "");
  EXPECT_EQ(env("SERVER_PORT"), "");
}

TEST_F(EnvironTest, ProxyProtocolOverrides) {
  config::Config cfg;
  WsgiEnviron builder(cfg, false);
  http::RequestHead head;
  head.method = "GET";
  head.target = head.path = "/";
  head.proxy = http::ProxyInfo{"TCP4", "192.168.0.1", 56324, "192.168.0.11", 443};
  http::PeerInfo peer{false, "127.0.0.1", 1234};
  ConnectionInfo conn;
  conn.peer = &peer;
  EnvironSummary summary;
  PyRef env = builder.build(head, conn, {Py_None, Py_None}, summary);
  PyObject* globals = PyModule_GetDict(PyImport_AddModule("__main__"));
  PyDict_SetItemString(globals, "built", env.get());
  EXPECT_EQ(py("built['PROXY_PROTOCOL']"), "TCP4");
  EXPECT_EQ(py("built['REMOTE_ADDR']"), "192.168.0.1");
  EXPECT_EQ(py("built['REMOTE_PORT']"), "56324");
  EXPECT_EQ(py("built['PROXY_ADDR']"), "192.168.0.11");
  EXPECT_EQ(py("built['PROXY_PORT']"), "443");
  EXPECT_EQ(summary.remote_addr, "192.168.0.1");

  head.proxy = http::ProxyInfo{"LOCAL", std::nullopt, std::nullopt, std::nullopt, std::nullopt};
  env = builder.build(head, conn, {Py_None, Py_None}, summary);
  PyDict_SetItemString(globals, "built", env.get());
  EXPECT_EQ(py("repr((built['REMOTE_ADDR'], built['REMOTE_PORT'], built['PROXY_ADDR']))"),
            "(None, 'None', None)");
}

// A keep-alive connection's requests start from one model environ: what the app does to one
// request's environ never shows in the next one.
TEST_F(EnvironTest, ConnectionModelIsCopiedNeverShared) {
  config::Config cfg;
  WsgiEnviron builder(cfg, false);
  http::PeerInfo peer{false, "10.0.0.7", 4321};
  ConnectionCache cache;
  ConnectionInfo conn;
  conn.peer = &peer;
  conn.server_name = "127.0.0.1";
  conn.server_port = "8000";
  conn.cache = &cache;
  PyRef socket = PyRef::steal(PyUnicode_FromString("the socket"));
  http::RequestHead head;
  head.method = "GET";
  head.target = head.path = "/first";
  EnvironSummary summary;
  PyObject* globals = PyModule_GetDict(PyImport_AddModule("__main__"));

  PyRef first = builder.build(head, conn, {Py_None, socket.get()}, summary);
  ASSERT_TRUE(cache.environ);
  EXPECT_NE(first.get(), cache.environ.get());
  PyDict_SetItemString(globals, "built", first.get());
  EXPECT_EQ(py("(built['REMOTE_ADDR'], built['REMOTE_PORT'], built['SERVER_NAME'], "
               "built['SERVER_PORT'], built['gunicorn.socket'], built['PATH_INFO'])"),
            "('10.0.0.7', '4321', '127.0.0.1', '8000', 'the socket', '/first')");
  testing::run_python("built['REMOTE_ADDR'] = 'changed'; built['app.key'] = 1");

  head.target = head.path = "/second";
  head.proxy = http::ProxyInfo{"TCP4", "192.168.0.1", 56324, "192.168.0.11", 443};
  PyRef second = builder.build(head, conn, {Py_None, socket.get()}, summary);
  PyDict_SetItemString(globals, "built", second.get());
  EXPECT_EQ(py("(built['REMOTE_ADDR'], 'app.key' in built, built['PATH_INFO'])"),
            "('192.168.0.1', False, '/second')");

  head.proxy.reset();
  PyRef third = builder.build(head, conn, {Py_None, socket.get()}, summary);
  PyDict_SetItemString(globals, "built", third.get());
  EXPECT_EQ(py("(built['REMOTE_ADDR'], 'PROXY_ADDR' in built, built['gunicorn.socket'])"),
            "('10.0.0.7', False, 'the socket')");
  EXPECT_EQ(summary.remote_addr, "10.0.0.7");
  PyDict_DelItemString(globals, "built");
}

TEST_F(EnvironTest, GunicornSocketWrapsADuplicateOfTheClientFd) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  testing::ServeOptions with_socket;
  with_socket.socket_fd = fds[0];
  define_app("py_unit_sock",
             "seen = {}\n"
             "def app(environ, start_response):\n"
             "    s = environ['gunicorn.socket']\n"
             "    seen['fileno'] = s.fileno()\n"
             "    s.sendall(b'side channel')\n"
             "    seen['kept'] = s\n"
             "    start_response('204 No Content', [])\n"
             "    return []\n");
  WsgiApp app = testing::load_app("py_unit_sock:app");
  config::Config cfg;
  WsgiHandler handler(app, cfg, nullptr, false);
  serve(handler, "GET / HTTP/1.1\r\n\r\n", with_socket);
  // The app's own descriptor for the connection (see docs/differences.md), not ours.
  EXPECT_NE(py("__import__('py_unit_sock').seen['fileno']"), std::to_string(fds[0]));
  char buf[32] = {};
  EXPECT_EQ(::read(fds[1], buf, sizeof buf), 12);
  EXPECT_STREQ(buf, "side channel");
  // Dropping the app's reference must not close our fd: the duplicate was closed after the
  // request, and the object detached.
  testing::run_python("import py_unit_sock, gc\npy_unit_sock.seen.clear()\ngc.collect()\n");
  EXPECT_EQ(::write(fds[0], "x", 1), 1);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(EnvironHelpers, HeaderKeysNamedLikeGunicorn) {
  EXPECT_EQ(HeaderKeys::environ_name("X-FOO-BAR"), "HTTP_X_FOO_BAR");
  EXPECT_EQ(HeaderKeys::environ_name("X-Foo-bar"), "HTTP_X_FOO_BAR");  // names as received
}

}  // namespace
}  // namespace gf::python
