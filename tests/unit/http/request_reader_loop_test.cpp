// RequestReader's event-loop side (the gthread worker): bytes are pushed in with
// receive_space()/received(), heads are parsed from what arrived only, and bodies are prefetched
// into a side buffer that the application's reads drain first.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "http/request_reader.hpp"
#include "http_test_support.hpp"

namespace gf::http {
namespace {

using testing::ScriptedSource;
using testing::Split;

const ParserOptions kOptions;

// Pushes `bytes` into the reader the way the loop does after a receive.
void push(RequestReader& reader, std::string_view bytes) {
  while (!bytes.empty()) {
    std::span<char> space = reader.receive_space();
    const size_t n = std::min(space.size(), bytes.size());
    std::memcpy(space.data(), bytes.data(), n);
    reader.received(n);
    bytes.remove_prefix(n);
  }
}

std::string read_all(RequestReader& reader) {
  std::string body;
  char buf[3];
  while (size_t n = reader.read_body(buf)) body.append(buf, n);
  return body;
}

TEST(RequestReaderLoop, HeadIsParsedOnlyOnceComplete) {
  ScriptedSource source("", Split::kWhole);  // the application side never needs to read here
  RequestReader reader(kOptions, source, {});
  const std::string request = "GET /a?b=1 HTTP/1.1\r\nHost: x\r\n\r\n";
  for (size_t i = 0; i + 1 < request.size(); ++i) {
    push(reader, request.substr(i, 1));
    EXPECT_FALSE(reader.parse_head().has_value()) << "after byte " << i;
  }
  push(reader, request.substr(request.size() - 1));
  auto head = reader.parse_head();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->target, "/a?b=1");
  EXPECT_TRUE(reader.body_complete());
  EXPECT_FALSE(reader.has_unparsed_input());
}

TEST(RequestReaderLoop, PrefetchedBodyIsServedBeforeTheSocket) {
  ScriptedSource source("world", Split::kByteByByte);  // what the app reads after the prefetch
  RequestReader reader(kOptions, source, {});
  push(reader, "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nhello");
  ASSERT_TRUE(reader.parse_head().has_value());
  EXPECT_FALSE(reader.prefetch_body(1024));  // 5 of 10 bytes: wait for more
  EXPECT_TRUE(reader.prefetch_body(4));      // ...unless the bound is reached
  EXPECT_EQ(read_all(reader), "helloworld");
  EXPECT_TRUE(reader.body_complete());
}

TEST(RequestReaderLoop, ChunkedBodyIsDecodedAheadAndPipelinedBytesStay) {
  ScriptedSource source("", Split::kWhole);
  RequestReader reader(kOptions, source, {});
  push(reader,
       "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
       "GET /next HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(reader.parse_head().has_value());
  EXPECT_TRUE(reader.prefetch_body(1024));
  EXPECT_TRUE(reader.body_complete());
  EXPECT_TRUE(reader.has_unparsed_input());
  EXPECT_EQ(read_all(reader), "abcde");
  auto next = reader.parse_head();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->target, "/next");
}

TEST(RequestReaderLoop, UnreadPrefetchedBodyIsDiscardedByTheNextHead) {
  ScriptedSource source("", Split::kWhole);
  RequestReader reader(kOptions, source, {});
  push(reader, "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyzGET /2 HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(reader.parse_head().has_value());
  ASSERT_TRUE(reader.prefetch_body(1024));
  auto next = reader.parse_head();  // the app never read "xyz"
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->target, "/2");
  EXPECT_EQ(read_all(reader), "");
}

TEST(RequestReaderLoop, EofBetweenRequestsIsCleanAndInsideOneIsNot) {
  ScriptedSource source("", Split::kWhole);
  RequestReader clean(kOptions, source, {});
  EXPECT_NO_THROW(clean.received_eof());

  RequestReader mid_head(kOptions, source, {});
  push(mid_head, "GET / HT");
  EXPECT_FALSE(mid_head.parse_head().has_value());
  EXPECT_THROW(mid_head.received_eof(), util::IoError);

  RequestReader mid_body(kOptions, source, {});
  push(mid_body, "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nab");
  ASSERT_TRUE(mid_body.parse_head().has_value());
  EXPECT_FALSE(mid_body.prefetch_body(1024));
  EXPECT_ANY_THROW(mid_body.received_eof());
}

TEST(RequestReaderLoop, BodyBytesAreNeverParsedAsTheNextHead) {
  ScriptedSource source("", Split::kWhole);
  RequestReader reader(kOptions, source, {});
  push(reader, "POST / HTTP/1.1\r\nContent-Length: 30\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(reader.parse_head().has_value());
  EXPECT_THROW(reader.parse_head(), util::IoError);  // 30 body bytes were announced, 24 came
}

TEST(RequestReaderLoop, AMalformedBodyFoundWhilePrefetchingStaysMalformed) {
  // The forbidden trailer is found while prefetching; every later read must fail the same way,
  // and the body's end ("0\r\n...") must never be parsed as a next request.
  ScriptedSource source("", Split::kWhole);
  RequestReader reader(kOptions, source, {});
  push(reader,
       "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nTE: v\r\n\r\n");
  ASSERT_TRUE(reader.parse_head().has_value());
  EXPECT_THROW(reader.prefetch_body(1024), BodyError);
  EXPECT_FALSE(reader.body_complete());
  EXPECT_THROW(reader.prefetch_body(1024), BodyError);
  char buf[16];
  EXPECT_EQ(reader.read_body(buf), 5u);  // what was decoded before the error
  EXPECT_THROW(reader.read_body(buf), BodyError);
  EXPECT_FALSE(reader.body_complete());
}

TEST(RequestReaderLoop, BadHeadThrowsTheRequestError) {
  ScriptedSource source("", Split::kWhole);
  RequestReader reader(kOptions, source, {});
  push(reader, "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
  EXPECT_THROW(reader.parse_head(), RequestError);
}

}  // namespace
}  // namespace gf::http
