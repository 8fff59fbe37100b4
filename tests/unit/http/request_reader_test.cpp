// RequestReader: the blocking adaptor's connection-level contract (EOF handling, draining,
// pipelining, buffer growth).
#include "http/request_reader.hpp"

#include <gtest/gtest.h>

#include "http_test_support.hpp"

namespace gf::http {
namespace {

using testing::ScriptedSource;
using testing::Split;

const ParserOptions kOptions;

std::string read_all(RequestReader& reader) {
  std::string body;
  char buf[5];
  while (size_t n = reader.read_body(buf)) body.append(buf, n);
  return body;
}

TEST(RequestReader, CleanEofBeforeARequestIsNotAnError) {
  ScriptedSource source("", Split::kWhole);
  RequestReader reader(kOptions, source, {});
  EXPECT_FALSE(reader.read_head().has_value());
}

TEST(RequestReader, EofInTheHeadIsAnIoError) {
  ScriptedSource source("GET / HTTP/1.1\r\nHost", Split::kWhole);
  RequestReader reader(kOptions, source, {});
  EXPECT_THROW(reader.read_head(), util::IoError);
}

TEST(RequestReader, EofInTheBodyIsNeverACompleteBody) {
  ScriptedSource source("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", Split::kWhole);
  RequestReader reader(kOptions, source, {});
  ASSERT_TRUE(reader.read_head().has_value());
  char buf[64];
  EXPECT_EQ(reader.read_body(buf), 3u);
  EXPECT_FALSE(reader.body_complete());
  EXPECT_THROW(reader.read_body(buf), util::IoError);
}

TEST(RequestReader, BufferedBytesArePipelinedBytesOnly) {
  std::string first = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
  std::string second = "GET /b HTTP/1.1\r\n\r\n";
  ScriptedSource source(first + second, Split::kWhole);
  RequestReader reader(kOptions, source, {});
  ASSERT_TRUE(reader.read_head().has_value());
  EXPECT_EQ(reader.buffered_bytes(), second.size());
  EXPECT_EQ(read_all(reader), "abc");
  EXPECT_EQ(reader.buffered_bytes(), second.size());
  auto next = reader.read_head();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->target, "/b");
  EXPECT_EQ(reader.buffered_bytes(), 0u);
  EXPECT_FALSE(reader.read_head().has_value());
}

TEST(RequestReader, NextHeadDrainsAnUnreadBody) {
  ScriptedSource source(
      "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
      "GET /b HTTP/1.1\r\n\r\n",
      Split::kRandom, 3);
  RequestReader reader(kOptions, source, {});
  ASSERT_TRUE(reader.read_head().has_value());
  auto next = reader.read_head();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->target, "/b");
}

TEST(RequestReader, NoHeadAfterAMessageThatMustClose) {
  ScriptedSource source("GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n", Split::kWhole);
  RequestReader reader(kOptions, source, {});
  ASSERT_TRUE(reader.read_head().has_value());
  EXPECT_FALSE(reader.read_head().has_value());
}

TEST(RequestReader, DrainBodyStopsAtItsLimit) {
  std::string body(100, 'x');
  ScriptedSource source("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n" + body, Split::kWhole);
  RequestReader reader(kOptions, source, {});
  ASSERT_TRUE(reader.read_head().has_value());
  EXPECT_FALSE(reader.drain_body(60));
  EXPECT_TRUE(reader.drain_body(40));
  EXPECT_TRUE(reader.body_complete());
}

TEST(RequestReader, DrainBodyConsumesBufferedChunkedFraming) {
  ScriptedSource source(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", Split::kWhole);
  RequestReader reader(kOptions, source, {});
  ASSERT_TRUE(reader.read_head().has_value());
  EXPECT_TRUE(reader.drain_body(3));
  EXPECT_TRUE(reader.body_complete());
}

TEST(RequestReader, BodylessRequestIsCompleteAtOnce) {
  ScriptedSource source("GET / HTTP/1.1\r\n\r\n", Split::kWhole);
  RequestReader reader(kOptions, source, {});
  ASSERT_TRUE(reader.read_head().has_value());
  EXPECT_TRUE(reader.body_complete());
  char buf[4];
  EXPECT_EQ(reader.read_body(buf), 0u);
}

TEST(RequestReader, ReadsLargeBodiesInFewSourceCalls) {
  std::string body(1 << 20, 'b');
  ScriptedSource source(
      "POST / HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body,
      Split::kWhole);
  RequestReader reader(kOptions, source, {});
  ASSERT_TRUE(reader.read_head().has_value());
  std::string got;
  std::vector<char> buf(65536);
  while (size_t n = reader.read_body(buf)) got.append(buf.data(), n);
  EXPECT_EQ(got, body);
  EXPECT_LE(source.reads(), (body.size() / 8192) + 4);
}

}  // namespace
}  // namespace gf::http
