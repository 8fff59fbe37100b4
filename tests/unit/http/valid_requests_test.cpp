// Valid requests checked field by field after Gunicorn's header policy, each fed whole, byte by
// byte and in random pieces.
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "http_test_support.hpp"

namespace gf::http {
namespace {

using testing::all_splits;
using testing::ConnectionOutcome;
using testing::run_requests;

using Headers = std::vector<std::pair<std::string, std::string>>;

template <size_t N>
std::string lit(const char (&text)[N]) {
  return std::string(text, N - 1);
}

// Runs `raw` under every split and checks they all agree; returns the whole-feed outcome.
ConnectionOutcome parse_everywhere(const std::string& raw, const ParserOptions& options = {},
                                   const PeerInfo& peer = {}) {
  ConnectionOutcome first = run_requests(raw, options, peer, testing::Split::kWhole);
  EXPECT_EQ(first.kind, "") << first.message;
  for (const auto& split : all_splits()) {
    SCOPED_TRACE(testing::split_name(split.split, split.seed));
    for (size_t read_size : {1u, 3u, 8192u}) {
      auto other = run_requests(raw, options, peer, split.split, split.seed, read_size);
      EXPECT_EQ(other.kind, "") << other.message;
      EXPECT_EQ(other.requests.size(), first.requests.size());
      for (size_t i = 0; i < std::min(other.requests.size(), first.requests.size()); ++i) {
        EXPECT_EQ(other.requests[i].head.target, first.requests[i].head.target);
        EXPECT_EQ(other.requests[i].head.headers.size(), first.requests[i].head.headers.size());
        EXPECT_EQ(other.requests[i].body, first.requests[i].body);
        EXPECT_EQ(other.requests[i].trailers.size(), first.requests[i].trailers.size());
      }
    }
  }
  return first;
}

Headers header_pairs(const std::vector<HeaderField>& fields) {
  Headers out;
  for (const auto& f : fields) out.emplace_back(f.upper_name(), f.value);
  return out;
}

const RequestHead& only_head(const ConnectionOutcome& o) {
  EXPECT_EQ(o.requests.size(), 1u);
  static const RequestHead empty;
  return o.requests.empty() ? empty : o.requests[0].head;
}

TEST(ValidRequest, PutWithContentLength) {
  auto o = parse_everywhere(
      "PUT /stuff/here?foo=bar HTTP/1.0\r\nServer: http://127.0.0.1:5984\r\n"
      "Content-Type: application/json\r\nContent-Length: 14\r\n\r\n{\"nom\": \"nom\"}");
  const RequestHead& h = only_head(o);
  EXPECT_EQ(h.method, "PUT");
  EXPECT_EQ(h.target, "/stuff/here?foo=bar");
  EXPECT_EQ(h.path, "/stuff/here");
  EXPECT_EQ(h.query, "foo=bar");
  EXPECT_EQ(h.fragment, "");
  EXPECT_EQ(h.version_major, 1);
  EXPECT_EQ(h.version_minor, 0);
  EXPECT_EQ(header_pairs(h.headers), (Headers{{"SERVER", "http://127.0.0.1:5984"},
                                              {"CONTENT-TYPE", "application/json"},
                                              {"CONTENT-LENGTH", "14"}}));
  EXPECT_EQ(h.framing.body_kind, BodyKind::kLength);
  EXPECT_EQ(h.framing.content_length, 14u);
  EXPECT_FALSE(h.framing.keep_alive);
  EXPECT_EQ(h.url_scheme, "http");
  EXPECT_EQ(o.requests[0].body, "{\"nom\": \"nom\"}");
}

TEST(ValidRequest, ChunkedWithTrailers) {
  auto o = parse_everywhere(
      "POST /chunked_w_trailing_headers HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\nVary: *\r\nContent-Type: text/plain\r\n\r\n");
  const RequestHead& h = only_head(o);
  EXPECT_EQ(h.framing.body_kind, BodyKind::kChunked);
  EXPECT_TRUE(h.framing.keep_alive);
  EXPECT_EQ(o.requests[0].body, "hello world");
  EXPECT_EQ(header_pairs(o.requests[0].trailers),
            (Headers{{"VARY", "*"}, {"CONTENT-TYPE", "text/plain"}}));
}

TEST(ValidRequest, ChunkSizesExtensionsAndBws) {
  auto o = parse_everywhere(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "000A \t;name=\"v al\"\r\n0123456789\r\nb;x\r\nhello world\r\n0;last\r\n\r\n");
  EXPECT_EQ(o.requests.at(0).body, "0123456789hello world");
  EXPECT_TRUE(o.requests.at(0).trailers.empty());
}

TEST(ValidRequest, UnderscoreHeadersDroppedByDefault) {
  auto o = parse_everywhere(
      "GET /keep/same/as?invalid/040 HTTP/1.0\r\nTransfer_Encoding: tricked\r\n"
      "Content-Length: 7\r\nContent_Length: -1E23\r\n\r\ntricked\r\n");
  const RequestHead& h = only_head(o);
  EXPECT_EQ(header_pairs(h.headers), (Headers{{"CONTENT-LENGTH", "7"}}));
  EXPECT_EQ(o.requests[0].body, "tricked");
}

TEST(ValidRequest, UnderscoreHeadersKeptWhenDangerousOrForwarded) {
  ParserOptions dangerous;
  dangerous.header_map = HeaderMap::kDangerous;
  auto o = parse_everywhere("GET / HTTP/1.1\r\nX_Y: 1\r\n\r\n", dangerous);
  EXPECT_EQ(header_pairs(only_head(o).headers), (Headers{{"X_Y", "1"}}));

  PeerInfo trusted;
  o = parse_everywhere("GET / HTTP/1.1\r\nScript_Name: /app\r\nX_Y: 1\r\n\r\n", {}, trusted);
  EXPECT_EQ(header_pairs(only_head(o).headers), (Headers{{"SCRIPT_NAME", "/app"}}));

  PeerInfo untrusted;
  untrusted.trusted_forwarder = false;
  o = parse_everywhere("GET / HTTP/1.1\r\nScript_Name: /app\r\n\r\n", {}, untrusted);
  EXPECT_TRUE(only_head(o).headers.empty());

  ParserOptions star;
  star.forwarder_headers = {"*"};
  o = parse_everywhere("GET / HTTP/1.1\r\nX_Y: 1\r\n\r\n", star, trusted);
  EXPECT_EQ(header_pairs(only_head(o).headers), (Headers{{"X_Y", "1"}}));
}

TEST(ValidRequest, PipelinedRequestsStayApart) {
  auto o = parse_everywhere(
      "GET /first HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /second HTTP/1.1\r\n\r\n"
      "POST /third HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n");
  ASSERT_EQ(o.requests.size(), 3u);
  EXPECT_EQ(o.requests[0].head.target, "/first");
  EXPECT_EQ(o.requests[0].body, "abc");
  EXPECT_EQ(o.requests[1].head.target, "/second");
  EXPECT_EQ(o.requests[1].body, "");
  EXPECT_EQ(o.requests[2].head.target, "/third");
  EXPECT_EQ(o.requests[2].body, "x");
}

TEST(ValidRequest, ConnectionCloseEndsThePipeline) {
  auto o = parse_everywhere("GET /a HTTP/1.1\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  ASSERT_EQ(o.requests.size(), 1u);
  EXPECT_FALSE(o.requests[0].head.framing.keep_alive);
}

TEST(ValidRequest, TargetForms) {
  struct Form {
    std::string line;
    std::string path, query, fragment;
  };
  std::vector<Form> forms = {
      {"GET ///keeping_slashes HTTP/1.1", "///keeping_slashes", "", ""},
      {"GET //host/x?y HTTP/1.1", "//host/x", "y", ""},
      {"GET http://example.com:8080/a/b?x=1#frag HTTP/1.1", "/a/b", "x=1", "frag"},
      {"GET https://example.com HTTP/1.1", "", "", ""},
      {"GET http://[::1]:80/v6 HTTP/1.1", "/v6", "", ""},
      {"GET /a#b?c HTTP/1.1", "/a", "", "b?c"},
      {"GET /a?b?c#d#e HTTP/1.1", "/a", "b?c", "d#e"},
      {"GET /p:x://y HTTP/1.1", "/p:x://y", "", ""},
      {"OPTIONS * HTTP/1.1", "*", "", ""},
      {"CONNECT example.com:443 HTTP/1.1", "443", "", ""},  // urlsplit(): scheme + path
      {"CONNECT [::1]:443 HTTP/1.1", "[::1]:443", "", ""},
      {"GET /caf\xc3\xa9 HTTP/1.1", "/caf\xc3\xa9", "", ""},
  };
  for (const auto& f : forms) {
    SCOPED_TRACE(f.line);
    auto o = parse_everywhere(f.line + "\r\n\r\n");
    const RequestHead& h = only_head(o);
    EXPECT_EQ(h.target,
              f.line.substr(f.line.find(' ') + 1, f.line.rfind(' ') - f.line.find(' ') - 1));
    EXPECT_EQ(h.path, f.path);
    EXPECT_EQ(h.query, f.query);
    EXPECT_EQ(h.fragment, f.fragment);
  }
}

TEST(ValidRequest, VersionsOneToOneNineAccepted) {
  for (int minor = 0; minor <= 9; ++minor) {
    auto o = parse_everywhere("GET / HTTP/1." + std::to_string(minor) + "\r\n\r\n");
    EXPECT_EQ(only_head(o).version_minor, minor);
  }
  ParserOptions permissive;
  permissive.permit_unconventional_http_version = true;
  auto o = parse_everywhere("GET / HTTP/2.0\r\n\r\n", permissive);
  EXPECT_EQ(only_head(o).version_major, 2);
  o = parse_everywhere("GET / HTTP/0.9\r\n\r\n", permissive);
  EXPECT_EQ(only_head(o).version_major, 0);
}

TEST(ValidRequest, UnconventionalMethods) {
  auto o = parse_everywhere("PROPFIND / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(only_head(o).method, "PROPFIND");
  ParserOptions permissive;
  permissive.permit_unconventional_http_method = true;
  o = parse_everywhere("get / HTTP/1.1\r\n\r\n", permissive);
  EXPECT_EQ(only_head(o).method, "get");
  o = parse_everywhere("X / HTTP/1.1\r\n\r\n", permissive);
  EXPECT_EQ(only_head(o).method, "X");
  permissive.casefold_http_method = true;
  o = parse_everywhere("get / HTTP/1.1\r\n\r\n", permissive);
  EXPECT_EQ(only_head(o).method, "GET");
}

TEST(ValidRequest, HeaderValuesStrippedAndFolded) {
  auto o = parse_everywhere("GET / HTTP/1.1\r\nX:  \t a b \t\r\nY:\r\nZ: caf\xc3\xa9\r\n\r\n");
  EXPECT_EQ(header_pairs(only_head(o).headers),
            (Headers{{"X", "a b"}, {"Y", ""}, {"Z", "caf\xc3\xa9"}}));

  ParserOptions folding;
  folding.permit_obsolete_folding = true;
  o = parse_everywhere("GET / HTTP/1.1\r\nX: a\r\n  b \r\n\tc\r\nY: 1\r\n\r\n", folding);
  EXPECT_EQ(header_pairs(only_head(o).headers), (Headers{{"X", "a b c"}, {"Y", "1"}}));

  ParserOptions strip;
  strip.strip_header_spaces = true;
  o = parse_everywhere("POST / HTTP/1.1\r\nContent-Length \t: 3\r\n\r\nabc", strip);
  EXPECT_EQ(header_pairs(only_head(o).headers), (Headers{{"CONTENT-LENGTH", "3"}}));
  EXPECT_EQ(o.requests[0].body, "abc");
}

TEST(ValidRequest, KeepAliveFollowsGunicornsShouldClose) {
  struct Case {
    std::string head;
    bool keep_alive;
  };
  std::vector<Case> cases = {
      {"GET / HTTP/1.1\r\n\r\n", true},
      {"GET / HTTP/1.0\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nConnection: CLOSE\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", true},
      {"GET / HTTP/1.0\r\nConnection: upgrade\r\nConnection: keep-alive\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nConnection: close, keep-alive\r\n\r\n", true},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", false},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.head);
    EXPECT_EQ(only_head(parse_everywhere(c.head)).framing.keep_alive, c.keep_alive);
  }
}

TEST(ValidRequest, ExpectContinueOnlyOnHttp11) {
  auto o =
      parse_everywhere("POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx");
  EXPECT_TRUE(only_head(o).framing.expect_continue);
  o = parse_everywhere("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx");
  EXPECT_FALSE(only_head(o).framing.expect_continue);
  o = parse_everywhere("POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx");
  EXPECT_FALSE(only_head(o).framing.expect_continue);
}

TEST(ValidRequest, UrlSchemeFromTrustedProxyOrTls) {
  auto o = parse_everywhere("GET / HTTP/1.1\r\nX-Forwarded-Proto: https\r\n\r\n");
  EXPECT_EQ(only_head(o).url_scheme, "https");
  o = parse_everywhere("GET / HTTP/1.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Ssl: on\r\n\r\n");
  EXPECT_EQ(only_head(o).url_scheme, "https");
  o = parse_everywhere("GET / HTTP/1.1\r\nX-Forwarded-Proto: http\r\n\r\n");
  EXPECT_EQ(only_head(o).url_scheme, "http");

  PeerInfo untrusted;
  untrusted.trusted_forwarder = false;
  o = parse_everywhere("GET / HTTP/1.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Ssl: off\r\n\r\n",
                       {}, untrusted);
  EXPECT_EQ(only_head(o).url_scheme, "http");
  EXPECT_EQ(only_head(o).headers.size(), 2u);

  PeerInfo tls;
  tls.is_tls = true;
  o = parse_everywhere("GET / HTTP/1.1\r\n\r\n", {}, tls);
  EXPECT_EQ(only_head(o).url_scheme, "https");
  o = parse_everywhere("GET / HTTP/1.1\r\nX-Forwarded-Proto: http\r\n\r\n", {}, tls);
  EXPECT_EQ(only_head(o).url_scheme, "http");
}

TEST(ValidRequest, LimitsAtTheBoundaryAreAccepted) {
  ParserOptions o;
  o.limit_request_line = 20;
  EXPECT_EQ(only_head(parse_everywhere("GET /123456 HTTP/1.1\r\n\r\n", o)).target, "/123456");

  ParserOptions fields;
  fields.limit_request_fields = 2;
  EXPECT_EQ(
      only_head(parse_everywhere("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", fields)).headers.size(),
      2u);

  ParserOptions size;
  size.limit_request_field_size = 10;
  EXPECT_EQ(only_head(parse_everywhere("GET / HTTP/1.1\r\nX: 12345\r\n\r\n", size)).headers.size(),
            1u);

  ParserOptions big;  // limits above the defaults need a head larger than the first buffer
  big.limit_request_field_size = 20000;
  std::string value(15000, 'v');
  auto result = parse_everywhere("GET / HTTP/1.1\r\nX: " + value + "\r\n\r\n", big);
  EXPECT_EQ(only_head(result).headers.at(0).value, value);

  ParserOptions clamped;
  clamped.limit_request_line = 100000;  // clamped to 8190, as Gunicorn's MAX_REQUEST_LINE
  std::string target = "/" + std::string(8190 - 14, 'a');
  EXPECT_EQ(only_head(parse_everywhere("GET " + target + " HTTP/1.1\r\n\r\n", clamped)).target,
            target);
}

TEST(ValidRequest, ProxyProtocolV1) {
  ParserOptions options;
  options.proxy_protocol = ProxyProtocol::kAuto;
  auto o = parse_everywhere(
      "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n\r\n"
      "GET /second HTTP/1.1\r\n\r\n",
      options);
  ASSERT_EQ(o.requests.size(), 2u);
  for (const auto& r : o.requests) {
    ASSERT_TRUE(r.head.proxy.has_value());
    EXPECT_EQ(r.head.proxy->protocol, "TCP4");
    EXPECT_EQ(r.head.proxy->client_addr, "192.168.0.1");
    EXPECT_EQ(r.head.proxy->client_port, 56324);
    EXPECT_EQ(r.head.proxy->proxy_addr, "192.168.0.11");
    EXPECT_EQ(r.head.proxy->proxy_port, 443);
  }
  options.proxy_protocol = ProxyProtocol::kV1;
  o = parse_everywhere("PROXY TCP6 ::1 2001:db8::2 1 65535\r\nGET / HTTP/1.1\r\n\r\n", options);
  EXPECT_EQ(only_head(o).proxy->client_addr, "::1");
  EXPECT_EQ(only_head(o).proxy->proxy_port, 65535);
}

TEST(ValidRequest, ProxyProtocolIsOptionalAndOnlyFirst) {
  ParserOptions options;
  options.proxy_protocol = ProxyProtocol::kAuto;
  auto o = parse_everywhere("GET / HTTP/1.1\r\n\r\n", options);
  EXPECT_FALSE(only_head(o).proxy.has_value());

  // A PROXY line in front of the second request is just a (bad) request line.
  o = run_requests("GET / HTTP/1.1\r\n\r\nPROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nGET / HTTP/1.1\r\n\r\n",
                   options, {}, testing::Split::kWhole);
  EXPECT_EQ(o.requests.size(), 1u);
  EXPECT_EQ(o.kind, "InvalidRequestLine");

  PeerInfo unix_peer;  // UNIX peers may always send PROXY headers
  unix_peer.is_unix = true;
  unix_peer.proxy_allowed = false;
  o = parse_everywhere("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nGET / HTTP/1.1\r\n\r\n", options,
                       unix_peer);
  EXPECT_EQ(only_head(o).proxy->client_addr, "1.2.3.4");
}

TEST(ValidRequest, ProxyProtocolV2) {
  ParserOptions options;
  options.proxy_protocol = ProxyProtocol::kV2;
  const std::string sig = lit("\r\n\r\n\0\r\nQUIT\n");
  std::string v4 = sig + lit("\x21\x11\x00\x0f") + lit("\xc0\xa8\x00\x01\x0a\x00\x00\x02") +
                   lit("\x1f\x90\x01\xbb") + "TLV";  // TLVs are skipped
  auto o = parse_everywhere(v4 + "GET / HTTP/1.1\r\n\r\n", options);
  ASSERT_TRUE(only_head(o).proxy.has_value());
  EXPECT_EQ(only_head(o).proxy->protocol, "TCP4");
  EXPECT_EQ(only_head(o).proxy->client_addr, "192.168.0.1");
  EXPECT_EQ(only_head(o).proxy->proxy_addr, "10.0.0.2");
  EXPECT_EQ(only_head(o).proxy->client_port, 8080);
  EXPECT_EQ(only_head(o).proxy->proxy_port, 443);

  std::string v6 = sig + lit("\x21\x21\x00\x24") + std::string(15, '\0') + "\x01" +
                   lit("\x20\x01\x0d\xb8") + std::string(11, '\0') + "\x02" +
                   lit("\x00\x50\x00\x51");
  o = parse_everywhere(v6 + "GET / HTTP/1.1\r\n\r\n", options);
  EXPECT_EQ(only_head(o).proxy->protocol, "TCP6");
  EXPECT_EQ(only_head(o).proxy->client_addr, "::1");
  EXPECT_EQ(only_head(o).proxy->proxy_addr, "2001:db8::2");
  EXPECT_EQ(only_head(o).proxy->client_port, 80);
  EXPECT_EQ(only_head(o).proxy->proxy_port, 81);

  o = parse_everywhere(sig + lit("\x20\x00\x00\x00") + "GET / HTTP/1.1\r\n\r\n", options);
  EXPECT_EQ(only_head(o).proxy->protocol, "LOCAL");
  EXPECT_FALSE(only_head(o).proxy->client_addr.has_value());
  o = parse_everywhere(sig + lit("\x21\x01\x00\x00") + "GET / HTTP/1.1\r\n\r\n", options);
  EXPECT_EQ(only_head(o).proxy->protocol, "UNSPEC");
}

TEST(ValidRequest, BodyKinds) {
  auto o = parse_everywhere("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(only_head(o).framing.body_kind, BodyKind::kLength);
  EXPECT_EQ(o.requests[0].body, "");
  o = parse_everywhere("POST / HTTP/1.1\r\nContent-Length: 007\r\n\r\n1234567");
  EXPECT_EQ(only_head(o).framing.content_length, 7u);
  o = parse_everywhere("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(only_head(o).framing.body_kind, BodyKind::kNone);
}

}  // namespace
}  // namespace gf::http
