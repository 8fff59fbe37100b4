#include "util/process_title.hpp"

#include <gtest/gtest.h>
#include <sys/prctl.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace gf::util {
namespace {

TEST(ProcessTitle, ShortNameFollowsTheTitle) {
  set_process_title("greenfork: worker [app]");
  char name[17] = {};
  ASSERT_EQ(prctl(PR_GET_NAME, name), 0);
  EXPECT_STREQ(name, "greenfork: work");  // the kernel keeps 15 characters
}

}  // namespace
}  // namespace gf::util
