// RequestParser's push contract, used directly by event-loop workers: nothing consumed while a
// head is incomplete, body bytes stream as views, and parsing stops at the end of each message.
#include "http/request_parser.hpp"

#include <random>

#include <gtest/gtest.h>

#include "http/errors.hpp"

namespace gf::http {
namespace {

TEST(RequestParser, ConsumesNothingUntilTheHeadIsComplete) {
  ParserOptions options;
  PeerInfo peer;
  RequestParser parser(options, peer);
  std::string data = "GET /x HTTP/1.1\r\nHost: a\r\n\r\nGET /y";
  for (size_t n = 0; n < 28; ++n) {
    ParseStep step = parser.feed(std::string_view(data).substr(0, n));
    ASSERT_EQ(step.event, ParseEvent::kNeedMore) << n;
    ASSERT_EQ(step.consumed, 0u);
  }
  ParseStep step = parser.feed(data);
  ASSERT_EQ(step.event, ParseEvent::kHead);
  EXPECT_EQ(step.consumed, 28u);
  EXPECT_EQ(parser.head().target, "/x");
  step = parser.feed(std::string_view(data).substr(28));
  EXPECT_EQ(step.event, ParseEvent::kMessageComplete);
  EXPECT_EQ(step.consumed, 0u);
  // Stays complete (pipelined bytes untouched) until the caller asks for the next message.
  EXPECT_EQ(parser.feed(std::string_view(data).substr(28)).event, ParseEvent::kMessageComplete);
  parser.next_message();
  EXPECT_EQ(parser.feed(std::string_view(data).substr(28)).event, ParseEvent::kNeedMore);
}

TEST(RequestParser, BodyStreamsAsViewsBoundedByMaxBody) {
  ParserOptions options;
  PeerInfo peer;
  RequestParser parser(options, peer);
  std::string data = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET";
  ParseStep step = parser.feed(data);
  ASSERT_EQ(step.event, ParseEvent::kHead);
  std::string_view rest = std::string_view(data).substr(step.consumed);
  step = parser.feed(rest, 3);
  ASSERT_EQ(step.event, ParseEvent::kBody);
  EXPECT_EQ(step.body, "hel");
  EXPECT_EQ(step.body.data(), rest.data());  // no copy
  rest.remove_prefix(step.consumed);
  step = parser.feed(rest, 100);
  EXPECT_EQ(step.body, "lo");
  rest.remove_prefix(step.consumed);
  EXPECT_EQ(parser.feed(rest).event, ParseEvent::kMessageComplete);
  EXPECT_EQ(rest, "GET");
}

TEST(RequestParser, LimitRequestBody) {
  ParserOptions options;
  options.limit_request_body = 5;
  PeerInfo peer;
  {
    RequestParser parser(options, peer);
    EXPECT_EQ(parser.feed("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello").event,
              ParseEvent::kHead);
  }
  {
    RequestParser parser(options, peer);
    try {
      parser.feed("POST / HTTP/1.1\r\nContent-Length: 6\r\n\r\nhello!");
      ADD_FAILURE() << "a Content-Length over the limit was accepted";
    } catch (const RequestError& e) {
      EXPECT_EQ(e.status(), 413);
    }
  }
  {
    // Chunked: the limit counts decoded bytes across chunks.
    RequestParser parser(options, peer);
    std::string data =
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n";
    ParseStep step = parser.feed(data);
    ASSERT_EQ(step.event, ParseEvent::kHead);
    std::string_view rest = std::string_view(data).substr(step.consumed);
    step = parser.feed(rest);
    ASSERT_EQ(step.event, ParseEvent::kBody);
    EXPECT_EQ(step.body, "abc");
    rest.remove_prefix(step.consumed);
    EXPECT_THROW(parser.feed(rest), BodyTooLarge);
  }
}

TEST(RequestParser, EofRulesPerState) {
  ParserOptions options;
  PeerInfo peer;
  RequestParser parser(options, peer);
  EXPECT_NO_THROW(parser.on_eof(0));
  EXPECT_THROW(parser.on_eof(3), util::IoError);
  std::string data = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  ASSERT_EQ(parser.feed(data).event, ParseEvent::kHead);
  EXPECT_THROW(parser.on_eof(0), BodyError);
}

// Random bytes and random mutations of valid requests must end in a clean result or one of our
// exceptions: never a crash, never a hang (run under ASan/UBSan in CI for the memory side).
TEST(RequestParser, GarbageNeverCrashes) {
  const std::vector<std::string> seeds = {
      "POST /a?b#c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
      "chunked\r\n\r\n5;e\r\nhello\r\n0\r\nV: 1\r\n\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nGET / HTTP/1.0\r\nContent-Length: 2\r\n\r\nab",
      std::string("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c", 16) + std::string(12, '\1') +
          "GET / HTTP/1.1\r\n\r\n"};
  std::mt19937 rng(1234);
  ParserOptions options;
  options.proxy_protocol = ProxyProtocol::kAuto;
  options.permit_obsolete_folding = true;
  PeerInfo peer;
  for (int round = 0; round < 3000; ++round) {
    std::string data = seeds[round % seeds.size()];
    int mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations; ++m) {
      size_t at = rng() % data.size();
      switch (rng() % 3) {
        case 0:
          data[at] = static_cast<char>(rng());
          break;
        case 1:
          data.erase(at, 1);
          break;
        default:
          data.insert(at, 1, static_cast<char>(rng()));
          break;
      }
      if (data.empty()) data = "x";
    }
    RequestParser parser(options, peer);
    std::string_view rest = data;
    try {
      for (int steps = 0; steps < 1000; ++steps) {
        ParseStep step = parser.feed(rest, 1 + rng() % 8);
        ASSERT_LE(step.consumed, rest.size());
        rest.remove_prefix(step.consumed);
        if (step.event == ParseEvent::kMessageComplete) parser.next_message();
        if (step.event == ParseEvent::kNeedMore) {
          parser.on_eof(rest.size());
          break;
        }
      }
    } catch (const RequestError& e) {
      EXPECT_TRUE(e.status() == 400 || e.status() == 403 || e.status() == 417 ||
                  e.status() == 431 || e.status() == 500 || e.status() == 501);
    } catch (const util::IoError&) {
    }
  }
}

TEST(RequestParser, OneParserParsesRequestAfterRequest) {
  // Its speed is measured in bench/micro (`make microbench`), not here.
  ParserOptions options;
  PeerInfo peer;
  RequestParser parser(options, peer);
  std::string data =
      "GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: bench/1.0\r\n"
      "Accept: */*\r\nAccept-Encoding: gzip\r\n\r\n";
  for (int i = 0; i < 100; ++i) {
    ParseStep step = parser.feed(data);
    ASSERT_EQ(step.event, ParseEvent::kHead);
    EXPECT_EQ(step.consumed, data.size());
    EXPECT_EQ(parser.head().path, "/index.html");
    parser.next_message();
  }
}

}  // namespace
}  // namespace gf::http
