// Http1Response output (policy + HTTP/1 serializer), byte for byte, with a fixed Date.
#include "http/http1_response.hpp"

#include <gtest/gtest.h>

#include "http/error_page.hpp"
#include "http/http1_serializer.hpp"
#include "http_test_support.hpp"

namespace gf::http {
namespace {

using testing::RecordingSink;

std::time_t fixed_clock() {
  return 784111777;
}  // Sun, 06 Nov 1994 08:49:37 GMT

const std::string kDefaults = "Server: greenfork\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n";

RequestHead request(std::string method = "GET", int minor = 1, bool keep_alive = true) {
  RequestHead head;
  head.method = std::move(method);
  head.version_major = 1;
  head.version_minor = minor;
  head.framing.keep_alive = keep_alive;
  return head;
}

struct Fixture {
  explicit Fixture(RequestHead head, bool force_close = false)
      : req(std::move(head)), writer(sink, req, force_close, &date) {}
  RecordingSink sink;
  HttpDate date{&fixed_clock};
  RequestHead req;
  Http1Response writer;
};

TEST(HttpDate, FormatsImfFixdate) {
  EXPECT_EQ(HttpDate::format(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(HttpDate::format(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  HttpDate date(&fixed_clock);
  EXPECT_EQ(date.now(), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(Http1Response, ContentLengthResponseHeadAndBodyInOneWrite) {
  Fixture f(request());
  f.writer.start("200 OK", {{"Content-Type", "text/plain"}, {"Content-Length", "5"}});
  EXPECT_FALSE(f.writer.headers_sent());
  f.writer.write("hello");
  f.writer.finish();
  EXPECT_EQ(f.sink.bytes, "HTTP/1.1 200 OK\r\n" + kDefaults +
                              "Connection: keep-alive\r\nContent-Type: text/plain\r\n"
                              "Content-Length: 5\r\n\r\nhello");
  EXPECT_EQ(f.sink.write_calls, 1);
  EXPECT_EQ(f.writer.body_bytes_sent(), 5u);
  EXPECT_FALSE(f.writer.should_close());
  EXPECT_EQ(f.writer.status_code(), 200);
}

TEST(Http1Response, ChunkedWhenNoLengthOnHttp11) {
  Fixture f(request());
  f.writer.start("200 OK", {{"X-A", "1"}});
  f.writer.write("");  // ignored, head still pending
  EXPECT_FALSE(f.writer.headers_sent());
  f.writer.write("hello");
  f.writer.write("0123456789abcdefg");
  f.writer.finish();
  f.writer.finish();  // idempotent
  EXPECT_EQ(f.sink.bytes,
            "HTTP/1.1 200 OK\r\n" + kDefaults +
                "Connection: keep-alive\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
                "5\r\nhello\r\n11\r\n0123456789abcdefg\r\n0\r\n\r\n");
  EXPECT_EQ(f.sink.write_calls, 3);
  EXPECT_EQ(f.writer.body_bytes_sent(), 22u);
}

TEST(Http1Response, ChunkedEvenWhenClosing) {
  Fixture f(request(), /*force_close=*/true);
  f.writer.start("200 OK", {});
  f.writer.finish();
  EXPECT_EQ(f.sink.bytes, "HTTP/1.1 200 OK\r\n" + kDefaults +
                              "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(f.sink.write_calls, 1);
  EXPECT_TRUE(f.writer.should_close());
}

TEST(Http1Response, Http10WithoutLengthClosesAndStreams) {
  Fixture f(request("GET", 0, /*keep_alive=*/true));
  f.writer.start("200 OK", {});
  f.writer.write("abc");
  f.writer.finish();
  EXPECT_EQ(f.sink.bytes, "HTTP/1.0 200 OK\r\n" + kDefaults + "Connection: close\r\n\r\nabc");
  EXPECT_TRUE(f.writer.should_close());
}

TEST(Http1Response, ContentLengthTruncatesExtraBytes) {
  Fixture f(request());
  f.writer.start("200 OK", {{"Content-Length", "4"}});
  f.writer.write("ab");
  f.writer.write("cdef");
  f.writer.write("gh");
  f.writer.finish();
  EXPECT_EQ(f.sink.bytes, "HTTP/1.1 200 OK\r\n" + kDefaults +
                              "Connection: keep-alive\r\nContent-Length: 4\r\n\r\nabcd");
  EXPECT_EQ(f.writer.body_bytes_sent(), 4u);
}

TEST(Http1Response, HeadKeepsContentLengthDropsBody) {
  Fixture f(request("HEAD"));
  f.writer.start("200 OK", {{"Content-Length", "5"}});
  f.writer.write("hello");
  f.writer.finish();
  EXPECT_EQ(f.sink.bytes, "HTTP/1.1 200 OK\r\n" + kDefaults +
                              "Connection: keep-alive\r\nContent-Length: 5\r\n\r\n");
  EXPECT_TRUE(f.writer.body_dropped());
  EXPECT_EQ(f.writer.body_bytes_sent(), 0u);
}

TEST(Http1Response, NoContentDropsLengthAndBody) {
  Fixture f(request());
  f.writer.start("204 No Content", {{"Content-Length", "5"}, {"X", "y"}});
  f.writer.write("hello");
  f.writer.finish();
  EXPECT_EQ(f.sink.bytes,
            "HTTP/1.1 204 No Content\r\n" + kDefaults + "Connection: keep-alive\r\nX: y\r\n\r\n");
  EXPECT_FALSE(f.writer.should_close());
}

TEST(Http1Response, NotModifiedKeepsLengthWithoutBody) {
  Fixture f(request());
  f.writer.start("304 Not Modified", {{"Content-Length", "5"}});
  f.writer.finish();
  EXPECT_EQ(f.sink.bytes, "HTTP/1.1 304 Not Modified\r\n" + kDefaults +
                              "Connection: keep-alive\r\nContent-Length: 5\r\n\r\n");
}

TEST(Http1Response, HopByHopAndOwnHeadersDropped) {
  Fixture f(request());
  f.writer.start("101 Switching Protocols", {{"Connection", "Upgrade"},
                                             {"Upgrade", "websocket"},
                                             {"Keep-Alive", "timeout=5"},
                                             {"Transfer-Encoding", "chunked"},
                                             {"TE", "x"},
                                             {"Trailers", "x"},
                                             {"Proxy-Authenticate", "x"},
                                             {"Proxy-Authorization", "x"},
                                             {"Server", "evil"},
                                             {"Date", "yesterday"},
                                             {"X-Kept", "  padded \t"}});
  f.writer.finish();
  EXPECT_TRUE(f.writer.upgrade());
  EXPECT_EQ(f.sink.bytes,
            "HTTP/1.1 101 Switching Protocols\r\n" + kDefaults +
                "Connection: upgrade\r\nUpgrade: websocket\r\nX-Kept: padded\r\n\r\n");
  ASSERT_EQ(f.writer.headers().size(), 2u);
  EXPECT_EQ(f.writer.headers()[1].value, "padded");
}

TEST(Http1Response, ClosesWhenRequestSaysSo) {
  Fixture f(request("GET", 1, /*keep_alive=*/false));
  f.writer.start("200 OK", {{"Content-Length", "0"}});
  f.writer.finish();
  EXPECT_EQ(f.sink.bytes,
            "HTTP/1.1 200 OK\r\n" + kDefaults + "Connection: close\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(f.writer.should_close());
}

TEST(Http1Response, InvalidStatusOrHeadersRejectedBeforeAnythingIsSent) {
  const std::vector<std::string> bad_statuses = {
      "", "20", "abc OK", "2000 OK", "200\r\nX: y", std::string("200 O\0K", 7), "200 OK\n"};
  for (const auto& status : bad_statuses) {
    Fixture f(request());
    EXPECT_THROW(f.writer.start(status, {}), InvalidResponse) << status;
  }
  const std::vector<HeaderField> bad_headers = {{"X Y", "1"},
                                                {"", "1"},
                                                {"X:", "1"},
                                                {"X", "a\r\nSet-Cookie: evil"},
                                                {"X", "a\nb"},
                                                {"X", std::string("a\0b", 3)},
                                                {"X", "a\x7f"},
                                                {"Content-Length", "5x"},
                                                {"Content-Length", "-1"},
                                                {"Content-Length", ""}};
  for (const auto& header : bad_headers) {
    Fixture f(request());
    EXPECT_THROW(f.writer.start("200 OK", {header}), InvalidResponse) << header.name;
    EXPECT_TRUE(f.sink.bytes.empty());
  }
  Fixture ok(request());
  EXPECT_NO_THROW(ok.writer.start("200", {{"X", "caf\xc3\xa9\tz"}}));
}

TEST(Http1Response, StartAgainReplacesStatusUntilHeadersSent) {
  Fixture f(request());
  f.writer.start("200 OK", {{"X", "1"}});
  f.writer.start("500 Internal Server Error", {{"Content-Length", "2"}});
  f.writer.write("no");
  EXPECT_EQ(f.writer.status_code(), 500);
  EXPECT_EQ(f.sink.bytes, "HTTP/1.1 500 Internal Server Error\r\n" + kDefaults +
                              "Connection: keep-alive\r\nContent-Length: 2\r\n\r\nno");
  EXPECT_THROW(f.writer.start("200 OK", {}), InvalidResponse);
}

TEST(Http1Response, SendFileFramesChunksAndTruncates) {
  Fixture f(request());
  f.writer.start("200 OK", {});
  f.writer.send_file(7, 100, 26);
  f.writer.finish();
  EXPECT_EQ(f.sink.bytes, "HTTP/1.1 200 OK\r\n" + kDefaults +
                              "Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n1a\r\n"
                              "<file 7 100 26>\r\n0\r\n\r\n");

  Fixture g(request());
  g.writer.start("200 OK", {{"Content-Length", "10"}});
  g.writer.send_file(7, 0, 26);
  g.writer.finish();
  EXPECT_EQ(g.sink.bytes, "HTTP/1.1 200 OK\r\n" + kDefaults +
                              "Connection: keep-alive\r\nContent-Length: 10\r\n\r\n<file 7 0 10>");
  EXPECT_EQ(g.writer.body_bytes_sent(), 10u);
}

TEST(Http1Response, WriteBeforeStartIsRejected) {
  Fixture f(request());
  EXPECT_THROW(f.writer.write("x"), InvalidResponse);
}

TEST(ErrorPage, ExactBytesOfGunicornsWriteError) {
  std::string html =
      "<html>\n  <head>\n    <title>Bad Request</title>\n  </head>\n  <body>\n"
      "    <h1><p>Bad Request</p></h1>\n    Invalid Request Line &#x27;&lt;x&gt; &amp; "
      "&quot;&#x27;\n"
      "  </body>\n</html>\n";
  EXPECT_EQ(error_page(400, "Invalid Request Line '<x> & \"'"),
            "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/html\r\n"
            "Content-Length: " +
                std::to_string(html.size()) + "\r\n\r\n" + html);
}

TEST(ErrorPage, ReasonsAndGunicornQuirks) {
  EXPECT_EQ(reason_phrase(403), "Forbidden");
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(417), "Expectation Failed");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(500), "Internal Server Error");
  EXPECT_TRUE(error_page(501, "x").starts_with("HTTP/1.1 501 Bad Request\r\n"));
  EXPECT_EQ(http1::kContinue, "HTTP/1.1 100 Continue\r\n\r\n");
}

TEST(ErrorPage, MessagesWordedLikeHandleError) {
  auto message = [](const char* raw, ParserOptions options = {}) {
    auto o = testing::run_requests(raw, options, {}, testing::Split::kWhole);
    return error_page_message(RequestError(o.status, o.kind, o.message));
  };
  EXPECT_EQ(message("GET\r\n\r\n"), "Invalid Request Line 'Invalid HTTP request line: 'GET''");
  EXPECT_EQ(message("get / HTTP/1.1\r\n\r\n"), "Invalid Method 'Invalid HTTP method: 'get''");
  EXPECT_EQ(message("GET / HTTP/1.10\r\n\r\n"),
            "Invalid HTTP Version 'Invalid HTTP Version: 'HTTP/1.10''");
  EXPECT_EQ(message("GET / HTTP/2.0\r\n\r\n"),
            "Invalid HTTP Version 'Invalid HTTP Version: (2, 0)'");
  EXPECT_EQ(message("GET / HTTP/1.1\r\nA\"B: 1\r\n\r\n"), "Invalid HTTP header name: 'A\"B'");
  ParserOptions short_line;
  short_line.limit_request_line = 19;
  EXPECT_EQ(message("GET /123456 HTTP/1.1\r\n\r\n", short_line),
            "Request Line is too large (20 > 19)");
  ParserOptions one_field;
  one_field.limit_request_fields = 1;
  EXPECT_EQ(message("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", one_field),
            "Error parsing headers: 'limit request headers fields'");
  EXPECT_EQ(message("GET / HTTP/1.1\r\nExpect: 200-ok\r\n\r\n"),
            "Unable to comply with expectation: '200-ok'");
  EXPECT_EQ(message("GET / HTTP/1.1\r\nTransfer-Encoding: x\r\n\r\n"),
            "Unsupported transfer coding: 'x'");
  EXPECT_EQ(error_page_message(RequestError(403, "ForbiddenProxyRequest", "x")),
            "Request forbidden");
  EXPECT_EQ(error_page_message(RequestError(500, "InvalidProxyHeader", "x")), "");
}

}  // namespace
}  // namespace gf::http
