// Inputs found by the libFuzzer targets in tests/fuzz/, kept as regression tests. Each must give
// the same outcome however its bytes arrive (whole, byte by byte, random pieces).
#include <string>

#include <gtest/gtest.h>

#include "http_test_support.hpp"

namespace gf::http {
namespace {

using testing::all_splits;
using testing::run_requests;
using testing::split_name;

// fuzz_request_parser crash-2e993d8f: with a 26-byte header-block limit, a block that fits
// (25 bytes) was refused with 431 when its "\r\n\r" arrived before the last "\n" (the partial
// terminator was counted), but answered 400 for the bad request line when it arrived at once.
TEST(FuzzRegressions, HeaderBlockLimitDoesNotCountAPartialTerminator) {
  ParserOptions options;
  options.limit_request_fields = 1;
  options.limit_request_field_size = 20;  // max buffer headers = 1 * (20 + 2) + 4 = 26
  PeerInfo peer;
  static const char kInput[] =
      "GETT11/.P\r\nHost: x\r\nX\0ef* \xb7"
      "12X-D: 1\r\n\r\n";
  const std::string data(kInput, sizeof kInput - 1);
  for (const auto& s : all_splits()) {
    auto o = run_requests(data, options, peer, s.split, s.seed);
    EXPECT_EQ(o.status, 400) << split_name(s.split, s.seed);
    EXPECT_EQ(o.kind, "InvalidRequestLine") << split_name(s.split, s.seed);
  }
}

// The same off-by-the-terminator for a chunk-size line exactly limit_request_field_size long:
// refused when its CR arrived without the LF, accepted when the line arrived whole.
TEST(FuzzRegressions, ChunkSizeLineAtTheLimitIsAcceptedInEverySplit) {
  ParserOptions options;
  options.limit_request_field_size = 30;
  PeerInfo peer;
  const std::string data =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=0123456789abcdefghijklmn\r\nhello\r\n0\r\n\r\n";  // a 30-byte size line
  for (const auto& s : all_splits()) {
    auto o = run_requests(data, options, peer, s.split, s.seed);
    EXPECT_EQ(o.kind, "") << split_name(s.split, s.seed) << " " << o.message;
    ASSERT_EQ(o.requests.size(), 1u) << split_name(s.split, s.seed);
    EXPECT_EQ(o.requests[0].body, "hello");
  }
}

// And for a trailer section right at max buffer headers: refused for its over-long line when it
// arrived whole, but as "limit request trailer section size" when its CR came before the LF.
TEST(FuzzRegressions, TrailerSectionAtTheLimitFailsTheSameInEverySplit) {
  ParserOptions options;
  options.limit_request_fields = 2;
  options.limit_request_field_size = 10;  // 2 * (10 + 2) + 4 = 28
  PeerInfo peer;
  const std::string data =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "1\r\nx\r\n0\r\nabc\r\nX: 01234567890123456789\r\n\r\n";  // a 28-byte section
  auto whole = run_requests(data, options, peer, testing::Split::kWhole);
  EXPECT_EQ(whole.kind, "LimitRequestHeaders");
  for (const auto& s : all_splits()) {
    auto o = run_requests(data, options, peer, s.split, s.seed);
    EXPECT_EQ(o.kind, whole.kind) << split_name(s.split, s.seed);
    EXPECT_EQ(o.message, whole.message) << split_name(s.split, s.seed);
  }
}

}  // namespace
}  // namespace gf::http
