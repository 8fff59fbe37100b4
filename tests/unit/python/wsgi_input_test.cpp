// wsgi.input over Content-Length and chunked bodies read by a real http::RequestReader.
#include <gtest/gtest.h>

#include "python_test_support.hpp"

namespace gf::python {
namespace {

using testing::body_of;
using testing::define_app;
using testing::serve;

// The app runs the snippet `SCRIPT` with `inp` bound to wsgi.input and answers repr(result).
WsgiApp input_app(const std::string& name, const std::string& script) {
  return define_app(name,
                    "def app(environ, start_response):\n"
                    "    inp = environ['wsgi.input']\n"
                    "    result = " +
                        script +
                        "\n"
                        "    body = repr(result).encode()\n"
                        "    start_response('200 OK', [('Content-Length', str(len(body)))])\n"
                        "    return [body]\n");
}

std::string run(const std::string& script, const std::string& request,
                const testing::ServeOptions& options = {}) {
  static int counter = 0;
  WsgiApp app = input_app("py_unit_input_" + std::to_string(++counter), script);
  config::Config cfg;
  WsgiHandler handler(app, cfg, nullptr, false);
  auto ex = serve(handler, request, options);
  if (!ex.thrown.empty()) return "<thrown: " + ex.thrown + ">";
  return body_of(ex.response);
}

const std::string kLengthRequest =
    "POST / HTTP/1.1\r\nContent-Length: 17\r\n\r\nline1\nline2\nrest!";
const std::string kChunkedRequest =
    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    "3\r\nlin\r\n9\r\ne1\nline2\n\r\n5\r\nrest!\r\n0\r\n\r\n";

TEST(WsgiInput, ReadAllAndSized) {
  for (const auto& request : {kLengthRequest, kChunkedRequest}) {
    EXPECT_EQ(run("inp.read()", request), "b'line1\\nline2\\nrest!'");
    EXPECT_EQ(run("inp.read(-1)", request), "b'line1\\nline2\\nrest!'");
    EXPECT_EQ(run("inp.read(None)", request), "b'line1\\nline2\\nrest!'");
    EXPECT_EQ(run("(inp.read(0), inp.read(4), inp.read(100), inp.read(3))", request),
              "(b'', b'line', b'1\\nline2\\nrest!', b'')");
    EXPECT_EQ(run("inp.read(size=5)", request), "b'line1'");
  }
}

TEST(WsgiInput, ReadlineReadlinesIteration) {
  for (const auto& request : {kLengthRequest, kChunkedRequest}) {
    EXPECT_EQ(run("(inp.readline(), inp.readline(3), inp.readline(), inp.readline(), "
                  "inp.readline())",
                  request),
              "(b'line1\\n', b'lin', b'e2\\n', b'rest!', b'')");
    EXPECT_EQ(run("inp.readlines()", request), "[b'line1\\n', b'line2\\n', b'rest!']");
    EXPECT_EQ(run("inp.readlines(3)", request), "[b'line1\\n']");
    EXPECT_EQ(run("list(inp)", request), "[b'line1\\n', b'line2\\n', b'rest!']");
    EXPECT_EQ(run("(inp.readline(), inp.read())", request), "(b'line1\\n', b'line2\\nrest!')");
  }
}

TEST(WsgiInput, SmallReadsAcrossPieces) {
  testing::ServeOptions trickle;
  trickle.chunk = 3;
  EXPECT_EQ(run("list(inp)", kChunkedRequest, trickle), "[b'line1\\n', b'line2\\n', b'rest!']");
  EXPECT_EQ(run("inp.read(11)", kLengthRequest, trickle), "b'line1\\nline2'");
}

TEST(WsgiInput, NoBodyAndNeverPastTheBody) {
  EXPECT_EQ(run("inp.read()", "GET / HTTP/1.1\r\n\r\n"), "b''");
  // A pipelined second request must not leak into the first body.
  EXPECT_EQ(
      run("inp.read()", "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nokGET / HTTP/1.1\r\n\r\n"),
      "b'ok'");
}

TEST(WsgiInput, BadArguments) {
  testing::ModuleDir::get().write("py_unit_input_helper.py",
                                  "def attempt(f):\n"
                                  "    try:\n        return f()\n"
                                  "    except Exception as e:\n"
                                  "        return type(e).__name__\n");
  EXPECT_EQ(
      run("__import__('py_unit_input_helper').attempt(lambda: inp.read('x'))", kLengthRequest),
      "'TypeError'");
  EXPECT_EQ(
      run("__import__('py_unit_input_helper').attempt(lambda: inp.read(1, 2))", kLengthRequest),
      "'TypeError'");
}

TEST(WsgiInput, EarlyDisconnectRaisesIntoTheAppAndDropsTheConnection) {
  testing::ServeOptions reset;
  reset.disconnect = true;
  // Uncaught in the app: the handler rethrows the socket error, no response is written.
  std::string short_body = "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly this";
  EXPECT_EQ(run("inp.read()", short_body, reset).rfind("<thrown: ", 0), 0u);
  // Caught in the app: it sees an OSError subclass, never a short body.
  testing::ModuleDir::get().write("py_unit_input_catch.py",
                                  "def attempt(f):\n"
                                  "    try:\n        return f()\n"
                                  "    except OSError as e:\n"
                                  "        return type(e).__name__\n");
  std::string caught =
      run("__import__('py_unit_input_catch').attempt(inp.read)", short_body, reset);
  EXPECT_EQ(caught, "'ClientIOError'");
  // Clean EOF before Content-Length is the same failure.
  EXPECT_EQ(run("__import__('py_unit_input_catch').attempt(lambda: inp.read(50))", short_body),
            "'ClientIOError'");
}

TEST(WsgiInput, MalformedChunkRaises) {
  testing::ModuleDir::get().write("py_unit_input_catch2.py",
                                  "def attempt(f):\n"
                                  "    try:\n        return f()\n"
                                  "    except OSError as e:\n"
                                  "        return 'OSError'\n");
  EXPECT_EQ(run("__import__('py_unit_input_catch2').attempt(inp.read)",
                "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
            "'OSError'");
}

TEST(WsgiInput, UnusableAfterTheRequest) {
  WsgiApp app = define_app("py_unit_input_kept",
                           "kept = []\n"
                           "def app(environ, start_response):\n"
                           "    kept.append(environ['wsgi.input'])\n"
                           "    start_response('200 OK', [])\n"
                           "    return [b'x']\n");
  config::Config cfg;
  WsgiHandler handler(app, cfg, nullptr, false);
  serve(handler, kLengthRequest);
  testing::run_python(
      "import py_unit_input_kept\n"
      "try:\n    py_unit_input_kept.kept[0].read()\n    after = 'read'\n"
      "except ValueError:\n    after = 'ValueError'\n");
  EXPECT_EQ(testing::py("after"), "ValueError");
}

}  // namespace
}  // namespace gf::python
