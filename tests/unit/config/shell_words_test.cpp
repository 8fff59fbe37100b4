#include "config/shell_words.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace gf::config {
namespace {

using Words = std::vector<std::string>;

// Expected values were produced with Python's shlex.split().
TEST(ShellWords, SplitsLikeShlex) {
  EXPECT_EQ(split_shell_words("  -w 4\t--bind  0.0.0.0:80 \n"),
            (Words{"-w", "4", "--bind", "0.0.0.0:80"}));
  EXPECT_EQ(split_shell_words(R"(a "b c" d)"), (Words{"a", "b c", "d"}));
  EXPECT_EQ(split_shell_words(R"(a 'b\\ c')"), (Words{"a", R"(b\\ c)"}));
  EXPECT_EQ(split_shell_words(R"(a "x\"y\$z\q")"), (Words{"a", R"(x"y\$z\q)"}));
  EXPECT_EQ(split_shell_words(R"(a\ b)"), (Words{"a b"}));
  EXPECT_EQ(split_shell_words("''"), (Words{""}));
  EXPECT_EQ(split_shell_words(R"(a""b)"), (Words{"ab"}));
  EXPECT_EQ(split_shell_words(R"("a"'b')"), (Words{"ab"}));
  EXPECT_EQ(split_shell_words("--access-logformat '%(h)s \"%(r)s\"'"),
            (Words{"--access-logformat", "%(h)s \"%(r)s\""}));
  EXPECT_EQ(split_shell_words("# not a comment"), (Words{"#", "not", "a", "comment"}));
  EXPECT_TRUE(split_shell_words("   ").empty());
}

TEST(ShellWords, ReportsShlexErrors) {
  try {
    split_shell_words("\"abc");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "No closing quotation");
  }
  EXPECT_THROW(split_shell_words("'abc"), std::invalid_argument);
  try {
    split_shell_words("abc\\");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "No escaped character");
  }
}

}  // namespace
}  // namespace gf::config
