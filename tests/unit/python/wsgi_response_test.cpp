// start_response rules, body iteration, close(), file_wrapper/sendfile, and the 500 page.
#include <gtest/gtest.h>

#include <fstream>

#include "log/access_log.hpp"
#include "python/wsgi/file_wrapper.hpp"
#include "python_test_support.hpp"

namespace gf::python {
namespace {

using testing::body_of;
using testing::define_app;
using testing::ModuleDir;
using testing::py;
using testing::run_python;
using testing::serve;

const std::string kGet = "GET /path?q HTTP/1.1\r\nHost: x\r\n\r\n";

testing::Exchange serve_app(const std::string& name, const std::string& source,
                            const std::string& request = kGet, bool sendfile = true) {
  WsgiApp app = define_app(name, source);
  config::Config cfg;
  if (!sendfile) cfg.set("sendfile", "false");
  WsgiHandler handler(app, cfg, nullptr, false);
  return serve(handler, request);
}

bool is_500(const std::string& response) {
  return response.rfind("HTTP/1.1 500 Internal Server Error\r\n", 0) == 0;
}

TEST(StartResponse, HeadersAndBody) {
  auto ex = serve_app("py_unit_resp_basic",
                      "def app(environ, start_response):\n"
                      "    start_response('200 OK', [('Content-Type', 'text/plain'),"
                      " ('Content-Length', '5')])\n"
                      "    return [b'he', b'', b'llo']\n");
  EXPECT_EQ(ex.thrown, "");
  EXPECT_EQ(ex.response.substr(0, 17), "HTTP/1.1 200 OK\r\n");
  EXPECT_NE(ex.response.find("Content-Type: text/plain\r\n"), std::string::npos);
  EXPECT_EQ(body_of(ex.response), "hello");
  EXPECT_EQ(ex.outcome.status_code, 200);
  EXPECT_FALSE(ex.outcome.close_connection);
}

TEST(StartResponse, WriteCallableAndChunkedBody) {
  auto ex = serve_app("py_unit_resp_write",
                      "def app(environ, start_response):\n"
                      "    write = start_response('200 OK', [])\n"
                      "    write(b'abc')\n"
                      "    return iter([b'de'])\n");
  EXPECT_EQ(body_of(ex.response), "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
}

TEST(StartResponse, SecondCallWithoutExcInfoFails) {
  auto ex = serve_app("py_unit_resp_twice",
                      "seen = []\n"
                      "def app(environ, start_response):\n"
                      "    start_response('200 OK', [])\n"
                      "    try:\n"
                      "        start_response('201 Created', [])\n"
                      "    except AssertionError as e:\n"
                      "        seen.append(str(e))\n"
                      "    return [b'x']\n");
  EXPECT_EQ(py("__import__('py_unit_resp_twice').seen"), "['Response headers already set!']");
  EXPECT_EQ(ex.response.substr(0, 15), "HTTP/1.1 200 OK");
}

TEST(StartResponse, ExcInfoBeforeHeadersSentReplacesStatus) {
  auto ex = serve_app("py_unit_resp_excinfo",
                      "import sys\n"
                      "def app(environ, start_response):\n"
                      "    start_response('200 OK', [('X-A', '1')])\n"
                      "    try:\n"
                      "        raise ValueError('boom')\n"
                      "    except ValueError:\n"
                      "        start_response('503 Busy', [('X-B', '2')], sys.exc_info())\n"
                      "    return [b'sorry']\n");
  EXPECT_EQ(ex.response.substr(0, 17), "HTTP/1.1 503 Busy");
  EXPECT_EQ(ex.response.find("X-A"), std::string::npos);
  EXPECT_NE(ex.response.find("X-B: 2"), std::string::npos);
}

TEST(StartResponse, ExcInfoAfterHeadersSentReraises) {
  auto ex = serve_app("py_unit_resp_reraise",
                      "import sys\n"
                      "seen = []\n"
                      "def app(environ, start_response):\n"
                      "    write = start_response('200 OK', [])\n"
                      "    write(b'partial')\n"
                      "    try:\n"
                      "        raise KeyError('original')\n"
                      "    except KeyError:\n"
                      "        try:\n"
                      "            start_response('500 Oops', [], exc_info=sys.exc_info())\n"
                      "        except KeyError as e:\n"
                      "            seen.append(repr(e))\n"
                      "            raise\n"
                      "    return [b'never']\n");
  EXPECT_EQ(py("__import__('py_unit_resp_reraise').seen"), "[\"KeyError('original')\"]");
  // Headers were out: no 500, no terminating chunk; the connection must close.
  EXPECT_TRUE(ex.outcome.close_connection);
  EXPECT_EQ(body_of(ex.response), "7\r\npartial\r\n");
}

TEST(StartResponse, InvalidHeaderRaisesIntoTheApp) {
  auto ex = serve_app("py_unit_resp_badheader",
                      "seen = []\n"
                      "def app(environ, start_response):\n"
                      "    for headers in ([('X-Bad', 'a\\r\\nInjected: 1')], [('X', 1)],"
                      " [('Bad Name', 'v')]):\n"
                      "        try:\n"
                      "            start_response('200 OK', headers)\n"
                      "        except Exception as e:\n"
                      "            seen.append(type(e).__name__)\n"
                      "    start_response('200 OK', [('X-Bad', 'a\\nb')])\n"
                      "    return [b'unreachable']\n");
  EXPECT_EQ(py("__import__('py_unit_resp_badheader').seen"),
            "['InvalidResponse', 'TypeError', 'InvalidResponse']");
  EXPECT_TRUE(is_500(ex.response)) << ex.response;
  EXPECT_EQ(ex.response.find("Injected"), std::string::npos);
  EXPECT_EQ(ex.outcome.status_code, 500);
  EXPECT_TRUE(ex.outcome.close_connection);
}

TEST(AppErrors, ExceptionBeforeHeadersGives500) {
  auto ex = serve_app("py_unit_resp_raise",
                      "def app(environ, start_response):\n"
                      "    raise RuntimeError('app bug')\n");
  EXPECT_TRUE(is_500(ex.response)) << ex.response;
  EXPECT_EQ(ex.response.find("app bug"), std::string::npos);  // no traceback to the client
  EXPECT_EQ(ex.thrown, "");
}

TEST(AppErrors, NonBytesItemGives500) {
  auto ex = serve_app("py_unit_resp_str",
                      "def app(environ, start_response):\n"
                      "    start_response('200 OK', [])\n"
                      "    return ['text, not bytes']\n");
  EXPECT_TRUE(is_500(ex.response)) << ex.response;
}

TEST(AppErrors, MissingStartResponseGives500) {
  auto ex = serve_app("py_unit_resp_nostart",
                      "def app(environ, start_response):\n"
                      "    return [b'body']\n");
  EXPECT_TRUE(is_500(ex.response)) << ex.response;
}

const char* kClosingIterable =
    "log = []\n"
    "class Body:\n"
    "    def __init__(self, fail_at):\n"
    "        self.fail_at = fail_at\n"
    "    def __iter__(self):\n"
    "        for i in range(3):\n"
    "            if i == self.fail_at:\n"
    "                raise ValueError('iteration failed')\n"
    "            yield b'%d' % i\n"
    "    def close(self):\n"
    "        log.append('closed')\n";

TEST(Close, CalledAfterSuccess) {
  auto ex = serve_app("py_unit_close_ok", std::string(kClosingIterable) +
                                              "def app(environ, start_response):\n"
                                              "    start_response('200 OK', [])\n"
                                              "    return Body(-1)\n");
  EXPECT_EQ(body_of(ex.response), "1\r\n0\r\n1\r\n1\r\n1\r\n2\r\n0\r\n\r\n");
  EXPECT_EQ(py("__import__('py_unit_close_ok').log"), "['closed']");
}

TEST(Close, CalledWhenIterationFailsBeforeHeaders) {
  auto ex = serve_app("py_unit_close_early", std::string(kClosingIterable) +
                                                 "def app(environ, start_response):\n"
                                                 "    start_response('200 OK', [])\n"
                                                 "    return Body(0)\n");
  EXPECT_TRUE(is_500(ex.response));
  EXPECT_EQ(py("__import__('py_unit_close_early').log"), "['closed']");
}

TEST(Close, CalledWhenIterationFailsAfterHeaders) {
  auto ex = serve_app("py_unit_close_late", std::string(kClosingIterable) +
                                                "def app(environ, start_response):\n"
                                                "    start_response('200 OK', [])\n"
                                                "    return Body(2)\n");
  EXPECT_EQ(ex.response.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_EQ(body_of(ex.response), "1\r\n0\r\n1\r\n1\r\n");  // truncated, no last chunk
  EXPECT_TRUE(ex.outcome.close_connection);
  EXPECT_EQ(py("__import__('py_unit_close_late').log"), "['closed']");
}

TEST(Close, CalledWhenTheClientIsGone) {
  WsgiApp app = define_app("py_unit_close_gone", std::string(kClosingIterable) +
                                                     "def app(environ, start_response):\n"
                                                     "    start_response('200 OK', [])\n"
                                                     "    return Body(-1)\n");
  config::Config cfg;
  WsgiHandler handler(app, cfg, nullptr, false);
  testing::ServeOptions broken;
  broken.sink_fails = true;
  auto ex = serve(handler, kGet, broken);
  EXPECT_EQ(ex.thrown, "Broken pipe");
  EXPECT_EQ(py("__import__('py_unit_close_gone').log"), "['closed']");
}

TEST(Close, ErrorInCloseIsLoggedAndClosesTheConnection) {
  auto ex = serve_app("py_unit_close_raises",
                      "class Body(list):\n"
                      "    def close(self):\n"
                      "        raise RuntimeError('close failed')\n"
                      "def app(environ, start_response):\n"
                      "    start_response('200 OK', [('Content-Length', '2')])\n"
                      "    return Body([b'ok'])\n");
  EXPECT_EQ(body_of(ex.response), "ok");
  EXPECT_TRUE(ex.outcome.close_connection);
}

class FileWrapperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ModuleDir::get().path() + "/py_unit_payload.txt";
    std::ofstream(path_) << "0123456789abcdefghij";
    run_python("PAYLOAD = '" + path_ + "'");
    source_ =
        "import __main__\n"
        "state = {}\n"
        "def app(environ, start_response):\n"
        "    f = open(__main__.PAYLOAD, 'rb')\n"
        "    f.seek(5)\n"
        "    state['file'] = f\n"
        "    headers = [('Content-Length', environ.get('HTTP_X_LENGTH', '15'))]\n"
        "    start_response('200 OK', headers)\n"
        "    return environ['wsgi.file_wrapper'](f, 4)\n";
  }
  std::string path_;
  std::string source_;
};

TEST_F(FileWrapperTest, UsesSendfileFromTheCurrentOffset) {
  auto ex = serve_app("py_unit_fw_sendfile", source_);
  ASSERT_EQ(ex.files.size(), 1u);
  EXPECT_EQ(ex.files[0].offset, 5);
  EXPECT_EQ(ex.files[0].count, 15u);
  EXPECT_EQ(body_of(ex.response), "56789abcdefghij");
  // close() reached the file; the offset was restored before that.
  EXPECT_EQ(py("__import__('py_unit_fw_sendfile').state['file'].closed"), "True");
}

TEST_F(FileWrapperTest, HonoursContentLength) {
  auto ex = serve_app("py_unit_fw_length", source_, "GET / HTTP/1.1\r\nX-Length: 4\r\n\r\n");
  EXPECT_EQ(body_of(ex.response), "5678");
}

TEST_F(FileWrapperTest, IteratesInBlocksWhenSendfileIsDisabled) {
  auto ex = serve_app("py_unit_fw_iter", source_, kGet, /*sendfile=*/false);
  EXPECT_TRUE(ex.files.empty());
  EXPECT_EQ(body_of(ex.response), "56789abcdefghij");
  EXPECT_EQ(py("__import__('py_unit_fw_iter').state['file'].closed"), "True");
}

TEST_F(FileWrapperTest, NonFileObjectsIterate) {
  auto ex = serve_app("py_unit_fw_bytesio",
                      "import io\n"
                      "def app(environ, start_response):\n"
                      "    start_response('200 OK', [('Content-Length', '6')])\n"
                      "    return environ['wsgi.file_wrapper'](io.BytesIO(b'abcdef'), 4)\n");
  EXPECT_TRUE(ex.files.empty());
  EXPECT_EQ(body_of(ex.response), "abcdef");
}

TEST(FileWrapperType, PythonProtocols) {
  PyObject* globals = PyModule_GetDict(PyImport_AddModule("__main__"));
  PyDict_SetItemString(globals, "FW", reinterpret_cast<PyObject*>(FileWrapper::type()));
  run_python(
      "import io\n"
      "w = FW(io.BytesIO(b'abcdefg'), 3)\n"
      "fw_iter = list(w)\n"
      "w2 = FW(io.BytesIO(b'abcd'), blksize=3)\n"
      "fw_items = [w2[0], w2[1]]\n"
      "try:\n    w2[2]\n    fw_index = 'no error'\n"
      "except IndexError:\n    fw_index = 'IndexError'\n"
      "w2.close()\n"
      "fw_closed = w2.filelike.closed\n"
      "FW(object()).close()\n");
  EXPECT_EQ(py("fw_iter"), "[b'abc', b'def', b'g']");
  EXPECT_EQ(py("fw_items"), "[b'abc', b'd']");
  EXPECT_EQ(py("fw_index"), "IndexError");
  EXPECT_EQ(py("fw_closed"), "True");
}

}  // namespace
}  // namespace gf::python

namespace gf::python {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(AccessLogLine, RendersRequestResponseAndEnviron) {
  std::string path = ModuleDir::get().path() + "/py_unit_access.log";
  log::AccessLog access(path,
                        "%(s)s %(b)s \"%(r)s\" %({PATH_INFO}e)s %({x-test}o)s %({user-agent}i)s");
  WsgiApp app = define_app("py_unit_access_app",
                           "def app(environ, start_response):\n"
                           "    if environ['PATH_INFO'] == '/boom':\n"
                           "        raise RuntimeError('x')\n"
                           "    start_response('201 Created', [('X-Test', 'yes')])\n"
                           "    return [b'abc']\n");
  config::Config cfg;
  WsgiHandler handler(app, cfg, &access, false);
  serve(handler, "GET /a%20b HTTP/1.1\r\nUser-Agent: probe\r\n\r\n");
  serve(handler, "GET /boom HTTP/1.0\r\n\r\n");
  std::string lines = read_file(path);
  EXPECT_NE(lines.find("201 3 \"GET /a%20b HTTP/1.1\" /a b yes probe\n"), std::string::npos)
      << lines;
  // The 500 page is logged like Gunicorn's handle_error: status 500, the page body's length.
  EXPECT_NE(lines.find("500 "), std::string::npos) << lines;
  EXPECT_NE(lines.find("\"GET /boom HTTP/1.0\" /boom - -"), std::string::npos) << lines;
}

}  // namespace
}  // namespace gf::python
