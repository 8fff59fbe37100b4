// valid_utf8: RFC 3629's well-formed sequences, and every kind of malformed one.
#include "util/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gf::util {
namespace {

TEST(Utf8, AcceptsAsciiAndWellFormedSequences) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ascii text, longer than eight bytes"));
  EXPECT_TRUE(valid_utf8("\xC2\xA9"));          // U+00A9
  EXPECT_TRUE(valid_utf8("\xE2\x82\xAC"));      // U+20AC
  EXPECT_TRUE(valid_utf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
  EXPECT_TRUE(valid_utf8("\xEE\x80\x80"));      // U+E000, just above them
  EXPECT_TRUE(valid_utf8("\xF0\x9F\x98\x80"));  // U+1F600
  EXPECT_TRUE(valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_TRUE(valid_utf8("Hello-\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5-UTF-8!!"));
}

TEST(Utf8, RejectsMalformedSequences) {
  EXPECT_FALSE(valid_utf8("\xFF"));
  EXPECT_FALSE(valid_utf8("\x80"));              // a lone continuation byte
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xC1\xBF"));          // overlong
  EXPECT_FALSE(valid_utf8("\xE0\x9F\xBF"));      // overlong three-byte form
  EXPECT_FALSE(valid_utf8("\xF0\x8F\xBF\xBF"));  // overlong four-byte form
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(valid_utf8("\xED\xBF\xBF"));      // U+DFFF
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xE2\x82"));      // truncated at the end
  EXPECT_FALSE(valid_utf8("\xE2\x82x"));     // a continuation missing inside
  EXPECT_FALSE(valid_utf8("abcdefgh\xCE"));  // truncated after an ASCII run
  EXPECT_FALSE(
      valid_utf8("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80"
                 "edited"));
}

}  // namespace
}  // namespace gf::util
