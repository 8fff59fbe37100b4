// llhttp (strict) as an independent framing oracle: for requests both parsers accept, they must
// agree on where each message ends and on the body bytes - the property that stops smuggling.
#include <llhttp.h>

#include <gtest/gtest.h>

#include "http_test_support.hpp"

namespace gf::http {
namespace {

struct LlhttpMessages {
  std::vector<std::string> bodies;
  std::vector<std::string> urls;
  bool ok = true;
};

LlhttpMessages parse_with_llhttp(const std::string& data) {
  LlhttpMessages out;
  llhttp_settings_t settings;
  llhttp_settings_init(&settings);
  settings.on_message_begin = [](llhttp_t* p) {
    auto* m = static_cast<LlhttpMessages*>(p->data);
    m->bodies.emplace_back();
    m->urls.emplace_back();
    return 0;
  };
  settings.on_url = [](llhttp_t* p, const char* at, size_t n) {
    static_cast<LlhttpMessages*>(p->data)->urls.back().append(at, n);
    return 0;
  };
  settings.on_body = [](llhttp_t* p, const char* at, size_t n) {
    static_cast<LlhttpMessages*>(p->data)->bodies.back().append(at, n);
    return 0;
  };
  llhttp_t parser;
  llhttp_init(&parser, HTTP_REQUEST, &settings);
  parser.data = &out;
  out.ok = llhttp_execute(&parser, data.data(), data.size()) == HPE_OK;
  return out;
}

TEST(LlhttpOracle, SameMessageBoundariesAndBodies) {
  const std::vector<std::string> connections = {
      "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
      "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\n\r\n",
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
      "PUT /d HTTP/1.1\r\nContent-Length: 1\r\n\r\nx",
      "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\na;x=y\r\n0123456789\r\n0\r\n"
      "Vary: *\r\n\r\nGET /f HTTP/1.1\r\n\r\n",
      "POST /g HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
      "DELETE /h?x#y HTTP/1.1\r\nContent-Length: 0\r\n\r\nOPTIONS * HTTP/1.1\r\n\r\n",
  };
  for (const auto& data : connections) {
    SCOPED_TRACE(data);
    LlhttpMessages oracle = parse_with_llhttp(data);
    ASSERT_TRUE(oracle.ok);
    auto ours = testing::run_requests(data, {}, {}, testing::Split::kRandom, 5);
    ASSERT_EQ(ours.kind, "") << ours.message;
    ASSERT_EQ(ours.requests.size(), oracle.bodies.size());
    for (size_t i = 0; i < ours.requests.size(); ++i) {
      EXPECT_EQ(ours.requests[i].body, oracle.bodies[i]);
      EXPECT_EQ(ours.requests[i].head.target, oracle.urls[i]);
    }
  }
}

// Smuggling vectors llhttp strict refuses must be refused by us too (possibly with a different
// class, since Gunicorn's classes are the contract).
TEST(LlhttpOracle, WhatLlhttpRefusesWeRefuse) {
  const std::vector<std::string> attacks = {
      "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\nab",
      "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",
      "GET /a b HTTP/1.1\r\n\r\n",
  };
  for (const auto& data : attacks) {
    SCOPED_TRACE(data);
    EXPECT_FALSE(parse_with_llhttp(data).ok);
    auto ours = testing::run_requests(data, {}, {}, testing::Split::kWhole);
    EXPECT_NE(ours.kind, "");
  }
}

}  // namespace
}  // namespace gf::http

namespace gf::http {
namespace {

// Where Debian's llhttp 8.1 (no LLHTTP_STRICT_MODE) is looser than Gunicorn: the reason the
// parser implements Gunicorn's rules itself instead of trusting llhttp's verdict.
TEST(LlhttpOracle, GunicornIsStricterThanLlhttpHere) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX",
       "ChunkMissingTerminator"},
      {"GET / HTTP/1.1\r\nFoo Bar: 1\r\n\r\n", "InvalidHeaderName"},
  };
  for (const auto& [data, kind] : cases) {
    SCOPED_TRACE(data);
    EXPECT_TRUE(parse_with_llhttp(data).ok);
    EXPECT_EQ(testing::run_requests(data, {}, {}, testing::Split::kWhole).kind, kind);
  }
}

}  // namespace
}  // namespace gf::http
