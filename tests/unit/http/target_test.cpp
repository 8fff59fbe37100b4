// What the request target and Host header mean to applications.
#include "http/target.hpp"

#include <gtest/gtest.h>

#include "http/errors.hpp"

namespace gf::http {
namespace {

TEST(Target, PercentDecodeAndHostSplit) {
  EXPECT_EQ(percent_decode("/%41%2f%2F%zz%4"), "/A//%zz%4");
  EXPECT_EQ(percent_decode("%"), "%");
  EXPECT_EQ(split_host("h:81"), std::make_pair(std::string("h"), std::string("81")));
  EXPECT_EQ(split_host("h"), std::make_pair(std::string("h"), std::string()));
  EXPECT_EQ(split_host("[::1]:8000"), std::make_pair(std::string("[::1]"), std::string("8000")));
  EXPECT_EQ(split_host("[::1]"), std::make_pair(std::string("[::1]"), std::string()));
}

TEST(Target, PathBelowScriptName) {
  EXPECT_EQ(path_below_script_name("/app/x", ""), "/app/x");
  EXPECT_EQ(path_below_script_name("/app/x", "/app"), "/x");
  try {
    path_below_script_name("/other", "/app");
    FAIL() << "a path outside SCRIPT_NAME must be refused";
  } catch (const RequestError& e) {
    EXPECT_EQ(e.status(), 500);
    EXPECT_EQ(e.kind(), "ConfigurationProblem");
    EXPECT_STREQ(e.what(), "Request path '/other' does not start with SCRIPT_NAME '/app'");
  }
}

}  // namespace
}  // namespace gf::http
