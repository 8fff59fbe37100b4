// status_phrase: the registered reason phrases an ASGI status line gets, and none for others.
#include "http/status_phrases.hpp"

#include <gtest/gtest.h>

namespace gf::http {
namespace {

TEST(StatusPhrases, RegisteredCodesHaveTheirPhrase) {
  EXPECT_EQ(status_phrase(200), "OK");
  EXPECT_EQ(status_phrase(101), "Switching Protocols");
  EXPECT_EQ(status_phrase(204), "No Content");
  EXPECT_EQ(status_phrase(404), "Not Found");
  EXPECT_EQ(status_phrase(418), "I'm a Teapot");
  EXPECT_EQ(status_phrase(422), "Unprocessable Entity");
  EXPECT_EQ(status_phrase(511), "Network Authentication Required");
}

TEST(StatusPhrases, OtherCodesHaveNone) {
  for (int code : {99, 299, 420, 599, 600, 999}) EXPECT_EQ(status_phrase(code), "") << code;
}

}  // namespace
}  // namespace gf::http
