// Table of malformed requests: each must end with Gunicorn's error class and status, whether it
// arrives whole, byte by byte or in random pieces.
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "http_test_support.hpp"

namespace gf::http {
namespace {

using testing::all_splits;
using testing::run_requests;

using Tweak = std::function<void(ParserOptions&, PeerInfo&)>;

struct BadCase {
  const char* name;
  std::string raw;
  int status;        // 0: no response (body error / disconnect)
  const char* kind;  // Gunicorn's exception class, or "IoError"
  Tweak tweak = nullptr;
};

// A string literal with its embedded NULs.
template <size_t N>
std::string lit(const char (&text)[N]) {
  return std::string(text, N - 1);
}

Tweak fields_limit(size_t n) {
  return [n](ParserOptions& o, PeerInfo&) { o.limit_request_fields = n; };
}
Tweak field_size(size_t n) {
  return [n](ParserOptions& o, PeerInfo&) { o.limit_request_field_size = n; };
}
Tweak line_limit(size_t n) {
  return [n](ParserOptions& o, PeerInfo&) { o.limit_request_line = n; };
}
Tweak proxy(ProxyProtocol mode) {
  return [mode](ParserOptions& o, PeerInfo&) { o.proxy_protocol = mode; };
}

const std::string kChunkedHead = "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
const std::string kV2Sig = lit("\r\n\r\n\0\r\nQUIT\n");

std::vector<BadCase> bad_cases() {
  std::vector<BadCase> c = {
      // Request line.
      {"no spaces", "GET\r\n\r\n", 400, "InvalidRequestLine"},
      {"two parts", "GET HTTP/1.1\r\n\r\n", 400, "InvalidRequestLine"},
      {"double space", "GET  / HTTP/1.1\r\n\r\n", 400, "InvalidRequestLine"},
      {"trailing word", "GET / HTTP/1.1 x\r\n\r\n", 400, "InvalidHTTPVersion"},
      {"lowercase method", "get / HTTP/1.1\r\n\r\n", 400, "InvalidRequestMethod"},
      {"method with @", "G@T / HTTP/1.1\r\n\r\n", 400, "InvalidRequestMethod"},
      {"method with #", "G#T / HTTP/1.1\r\n\r\n", 400, "InvalidRequestMethod"},
      {"method too short", "GE / HTTP/1.1\r\n\r\n", 400, "InvalidRequestMethod"},
      {"method too long", "ABCDEFGHIJKLMNOPQRSTU / HTTP/1.1\r\n\r\n", 400, "InvalidRequestMethod"},
      {"method not a token even when permitted", "G(T / HTTP/1.1\r\n\r\n", 400,
       "InvalidRequestMethod",
       [](ParserOptions& o, PeerInfo&) { o.permit_unconventional_http_method = true; }},
      {"HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", 400, "InvalidHTTPVersion"},
      {"HTTP/1.10", "GET / HTTP/1.10\r\n\r\n", 400, "InvalidHTTPVersion"},
      {"HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", 400, "InvalidHTTPVersion"},
      {"lowercase http", "GET / http/1.1\r\n\r\n", 400, "InvalidHTTPVersion"},
      {"version without minor", "GET / HTTP/1\r\n\r\n", 400, "InvalidHTTPVersion"},
      {"bare CR before CRLF", "GET / HTTP/1.1\r\r\n\r\n", 400, "InvalidHTTPVersion"},
      {"bare CR in target", "GET /a\rb HTTP/1.1\r\n\r\n", 400, "InvalidRequestLine"},
      {"bare LF in target", "GET /a\nb HTTP/1.1\r\n\r\n", 400, "InvalidRequestLine"},
      {"NUL in target", lit("GET /\0 HTTP/1.1\r\n\r\n"), 400, "InvalidRequestLine"},
      {"asterisk without OPTIONS", "GET * HTTP/1.1\r\n\r\n", 400, "InvalidRequestLine"},
      {"authority without CONNECT", "GET example.com:80 HTTP/1.1\r\n\r\n", 400,
       "InvalidRequestLine"},
      {"relative target", "GET foo HTTP/1.1\r\n\r\n", 400, "InvalidRequestLine"},
      {"unbalanced IPv6 bracket", "GET http://[::1/x HTTP/1.1\r\n\r\n", 400, "InvalidRequestLine"},
      {"request line 1 over limit", "GET /123456 HTTP/1.1\r\n\r\n", 400, "LimitRequestLine",
       line_limit(19)},
      {"request line without CRLF over limit", std::string(8300, 'A'), 400, "LimitRequestLine"},
      {"limits above 8190 are clamped to 8190",
       "GET /" + std::string(8191 - 14, 'a') + " HTTP/1.1\r\n\r\n", 400, "LimitRequestLine",
       line_limit(8200)},
      {"limit 0 still capped", "GET /" + std::string(1 << 20, 'a') + " HTTP/1.1\r\n\r\n", 400,
       "LimitRequestLine", line_limit(0)},
      {"LF-only line endings", "GET / HTTP/1.1\nHost: x\n\n", 0, "IoError"},
      {"premature EOF in headers", "GET / HTTP/1.1\r\nHost: x\r\n", 0, "IoError"},
      // Header lines.
      {"header without colon", "GET / HTTP/1.1\r\nHost x\r\n\r\n", 400, "InvalidHeader"},
      {"header with empty name", "GET / HTTP/1.1\r\n: x\r\n\r\n", 400, "InvalidHeader"},
      {"space before colon", "GET / HTTP/1.1\r\nContent-Length : 3\r\n\r\nabc", 400,
       "InvalidHeaderName"},
      {"space in name", "GET / HTTP/1.1\r\nX Y: 1\r\n\r\n", 400, "InvalidHeaderName"},
      {"quote in name", "GET / HTTP/1.1\r\nX\"Y: 1\r\n\r\n", 400, "InvalidHeaderName"},
      {"first header line folded", "GET / HTTP/1.1\r\n Host: x\r\n\r\n", 400, "InvalidHeaderName"},
      {"obs-fold", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", 400, "ObsoleteFolding"},
      {"obs-fold smuggling TE", "GET / HTTP/1.1\r\nX: a\r\n Transfer-Encoding: chunked\r\n\r\n",
       400, "ObsoleteFolding"},
      {"NUL in value", lit("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n"), 400, "InvalidHeader"},
      {"bare CR in value", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", 400, "InvalidHeader"},
      {"bare LF in value", "GET / HTTP/1.1\r\nX: a\nb\r\n\r\n", 400, "InvalidHeader"},
      {"VT in value", "GET / HTTP/1.1\r\nX: a\x0b\x62\r\n\r\n", 400, "InvalidHeader"},
      {"DEL in value", "GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n", 400, "InvalidHeader"},
      {"VT before chunked", kChunkedHead.substr(0, 37) + "\x0b" + "chunked\r\n\r\n0\r\n\r\n", 400,
       "InvalidHeader"},
      {"duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "InvalidHeader"},
      {"duplicate Content-Type", "GET / HTTP/1.1\r\nContent-Type: a\r\ncontent-type: a\r\n\r\n",
       400, "InvalidHeader"},
      // Framing.
      {"duplicate Content-Length",
       "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400,
       "InvalidHeader"},
      {"Content-Length +1", "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\na", 400, "InvalidHeader"},
      {"Content-Length -1", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "InvalidHeader"},
      {"Content-Length 1_0", "POST / HTTP/1.1\r\nContent-Length: 1_0\r\n\r\n", 400,
       "InvalidHeader"},
      {"Content-Length list", "POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello", 400,
       "InvalidHeader"},
      {"Content-Length hex", "POST / HTTP/1.1\r\nContent-Length: 0x5\r\n\r\nhello", 400,
       "InvalidHeader"},
      {"Content-Length empty", "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", 400, "InvalidHeader"},
      {"Content-Length beyond 63 bits",
       "POST / HTTP/1.1\r\nContent-Length: 9223372036854775808\r\n\r\n", 400, "InvalidHeader"},
      {"CL and TE",
       "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
       "InvalidHeader"},
      {"chunked twice in one header",
       "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400, "InvalidHeader"},
      {"chunked in two headers",
       "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
       "InvalidHeader"},
      {"identity after chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
       400, "InvalidHeader"},
      {"gzip after chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400,
       "InvalidHeader"},
      {"unknown coding", "POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n", 501,
       "UnsupportedTransferCoding"},
      {"empty coding", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked,\r\n\r\n", 501,
       "UnsupportedTransferCoding"},
      {"chunked on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
       "InvalidHeader"},
      {"Expect other", "POST / HTTP/1.1\r\nExpect: 200-ok\r\n\r\n", 417, "ExpectationFailed"},
      {"contradictory scheme headers",
       "GET / HTTP/1.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Ssl: off\r\n\r\n", 400,
       "InvalidSchemeHeaders"},
      {"underscore refused", "GET / HTTP/1.1\r\nX_Y: 1\r\n\r\n", 400, "InvalidHeaderName",
       [](ParserOptions& o, PeerInfo&) { o.header_map = HeaderMap::kRefuse; }},
      {"untrusted forwarder header refused", "GET / HTTP/1.1\r\nSCRIPT_NAME: /x\r\n\r\n", 400,
       "InvalidHeaderName",
       [](ParserOptions& o, PeerInfo& p) {
         o.header_map = HeaderMap::kRefuse;
         p.trusted_forwarder = false;
       }},
      // Limits.
      {"fields 1 over limit", "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431,
       "LimitRequestHeaders", fields_limit(2)},
      {"dropped headers still count", "GET / HTTP/1.1\r\nA_B: 1\r\nC: 2\r\n\r\n", 431,
       "LimitRequestHeaders", fields_limit(1)},
      {"field 1 over size", "GET / HTTP/1.1\r\nX: 123456\r\n\r\n", 431, "LimitRequestHeaders",
       field_size(10)},
      {"folded field over size", "GET / HTTP/1.1\r\nX: 1\r\n 234\r\n\r\n", 431,
       "LimitRequestHeaders",
       [](ParserOptions& o, PeerInfo&) {
         o.limit_request_field_size = 10;
         o.permit_obsolete_folding = true;
       }},
      {"max buffer headers", "GET / HTTP/1.1\r\n" + std::string(40, 'A'), 431,
       "LimitRequestHeaders",
       [](ParserOptions& o, PeerInfo&) {
         o.limit_request_fields = 2;
         o.limit_request_field_size = 10;
       }},
      // Chunked bodies: no response, the connection is dropped.
      {"chunk size 0x5", kChunkedHead + "0x5\r\nhello\r\n0\r\n\r\n", 0, "InvalidChunkSize"},
      {"chunk size -5", kChunkedHead + "-5\r\nhello\r\n0\r\n\r\n", 0, "InvalidChunkSize"},
      {"chunk size +5", kChunkedHead + "+5\r\nhello\r\n0\r\n\r\n", 0, "InvalidChunkSize"},
      {"chunk size with trailing space", kChunkedHead + "5 \r\nhello\r\n0\r\n\r\n", 0,
       "InvalidChunkSize"},
      {"last chunk with trailing space", kChunkedHead + "5\r\nhello\r\n0 \r\n\r\n", 0,
       "InvalidChunkSize"},
      {"chunk size with leading space", kChunkedHead + " 5\r\nhello\r\n0\r\n\r\n", 0,
       "InvalidChunkSize"},
      {"empty chunk size", kChunkedHead + "\r\nhello\r\n0\r\n\r\n", 0, "InvalidChunkSize"},
      {"chunk size 2^63", kChunkedHead + "8000000000000000\r\nx\r\n", 0, "InvalidChunkSize"},
      {"chunk size 2^64", kChunkedHead + "10000000000000000\r\nx\r\n", 0, "InvalidChunkSize"},
      {"chunk size many digits", kChunkedHead + std::string(100, 'f') + "\r\n", 0,
       "InvalidChunkSize"},
      {"chunk size bare LF", kChunkedHead + "5\nhello\r\n0\r\n\r\n", 0, "InvalidChunkSize"},
      {"chunk size line without end", kChunkedHead + std::string(9000, '0'), 0, "InvalidChunkSize"},
      {"bare CR in extension", kChunkedHead + "5;a\rb\r\nhello\r\n0\r\n\r\n", 0,
       "InvalidChunkExtension"},
      {"missing CRLF after data", kChunkedHead + "5\r\nhelloXX0\r\n\r\n", 0,
       "ChunkMissingTerminator"},
      {"LF only after data", kChunkedHead + "5\r\nhello\n0\r\n\r\n", 0, "ChunkMissingTerminator"},
      {"truncated chunk data", kChunkedHead + "5\r\nhel", 0, "NoMoreData"},
      {"truncated before last CRLF", kChunkedHead + "5\r\nhello\r\n0\r\n", 0,
       "ChunkMissingTerminator"},
      {"truncated in trailers", kChunkedHead + "0\r\nVary: *\r\n", 0, "ChunkMissingTerminator"},
      {"forbidden trailer Host", kChunkedHead + "0\r\nHost: x\r\n\r\n", 0, "InvalidHeaderName"},
      {"forbidden trailer Content-Length", kChunkedHead + "0\r\nContent-Length: 5\r\n\r\n", 0,
       "InvalidHeaderName"},
      {"forbidden trailer te", kChunkedHead + "0\r\nte: trailers\r\n\r\n", 0, "InvalidHeaderName"},
      {"folded trailer", kChunkedHead + "0\r\nVary: a\r\n b\r\n\r\n", 0, "ObsoleteFolding"},
      {"truncated CL body", "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", 0, "NoMoreData"},
      // PROXY protocol.
      {"PROXY v1 five fields", "PROXY TCP4 1.2.3.4 5.6.7.8 80\r\nGET / HTTP/1.1\r\n\r\n", 400,
       "InvalidProxyLine", proxy(ProxyProtocol::kV1)},
      {"PROXY v1 UNKNOWN", "PROXY UNKNOWN\r\nGET / HTTP/1.1\r\n\r\n", 400, "InvalidProxyLine",
       proxy(ProxyProtocol::kAuto)},
      {"PROXY v1 port out of range",
       "PROXY TCP4 1.2.3.4 5.6.7.8 80 70000\r\nGET / HTTP/1.1\r\n\r\n", 400, "InvalidProxyLine",
       proxy(ProxyProtocol::kV1)},
      {"PROXY v1 family mismatch", "PROXY TCP4 ::1 ::1 80 80\r\nGET / HTTP/1.1\r\n\r\n", 400,
       "InvalidProxyLine", proxy(ProxyProtocol::kV1)},
      {"PROXY v1 double space", "PROXY TCP4  1.2.3.4 5.6.7.8 80 80\r\nGET / HTTP/1.1\r\n\r\n", 400,
       "InvalidProxyLine", proxy(ProxyProtocol::kV1)},
      {"PROXY v1 line too long", "PROXY TCP6 " + std::string(200, '1') + "\r\n", 400,
       "InvalidProxyLine", proxy(ProxyProtocol::kV1)},
      {"PROXY from a peer not allowed",
       "PROXY TCP4 1.2.3.4 5.6.7.8 80 80\r\nGET / HTTP/1.1\r\n\r\n", 403, "ForbiddenProxyRequest",
       [](ParserOptions& o, PeerInfo& p) {
         o.proxy_protocol = ProxyProtocol::kAuto;
         p.proxy_allowed = false;
         p.addr = "10.0.0.9";
       }},
      {"PROXY v1 when only v2 enabled",
       "PROXY TCP4 1.2.3.4 5.6.7.8 80 80\r\nGET / HTTP/1.1\r\n\r\n", 400, "InvalidRequestLine",
       proxy(ProxyProtocol::kV2)},
      {"PROXY v2 bad version", kV2Sig + lit("\x11\x11\x00\x0c") + std::string(12, '\0'), 500,
       "InvalidProxyHeader", proxy(ProxyProtocol::kV2)},
      {"PROXY v2 bad command", kV2Sig + lit("\x22\x11\x00\x0c") + std::string(12, '\0'), 500,
       "InvalidProxyHeader", proxy(ProxyProtocol::kAuto)},
      {"PROXY v2 UDP", kV2Sig + lit("\x21\x12\x00\x0c") + std::string(12, '\0'), 500,
       "InvalidProxyHeader", proxy(ProxyProtocol::kV2)},
      {"PROXY v2 short IPv4", kV2Sig + lit("\x21\x11\x00\x08") + std::string(8, '\0'), 500,
       "InvalidProxyHeader", proxy(ProxyProtocol::kV2)},
      {"PROXY v2 short IPv6", kV2Sig + lit("\x21\x21\x00\x0c") + std::string(12, '\0'), 500,
       "InvalidProxyHeader", proxy(ProxyProtocol::kV2)},
      {"PROXY v2 unix family", kV2Sig + lit("\x21\x31\x00\x0c") + std::string(12, '\0'), 500,
       "InvalidProxyHeader", proxy(ProxyProtocol::kV2)},
  };
  return c;
}

class MalformedRequest : public ::testing::TestWithParam<BadCase> {};

TEST_P(MalformedRequest, EndsWithGunicornsErrorUnderEverySplit) {
  const BadCase& bad = GetParam();
  ParserOptions options;
  PeerInfo peer;
  peer.addr = "127.0.0.1";
  if (bad.tweak) bad.tweak(options, peer);
  for (const auto& split : all_splits()) {
    SCOPED_TRACE(testing::split_name(split.split, split.seed));
    auto outcome = run_requests(bad.raw, options, peer, split.split, split.seed);
    EXPECT_EQ(outcome.kind, bad.kind) << outcome.message;
    EXPECT_EQ(outcome.status, bad.status) << outcome.message;
    // A head error never yields a request; body errors come after their head.
    if (bad.status != 0) {
      EXPECT_TRUE(outcome.requests.empty());
    }
  }
}

std::string case_name(const ::testing::TestParamInfo<BadCase>& info) {
  std::string name = std::to_string(info.index) + "_";
  for (const char* p = info.param.name; *p; ++p)
    name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Table, MalformedRequest, ::testing::ValuesIn(bad_cases()), case_name);

TEST(MalformedRequestTable, HasAtLeastSixtyRows) {
  EXPECT_GE(bad_cases().size(), 60u);
}

}  // namespace
}  // namespace gf::http
