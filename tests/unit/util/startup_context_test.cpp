#include "util/startup_context.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

namespace gf::util {
namespace {

class ResolveExecutable : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gf_startup_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ::mkdir((dir_ + "/bin").c_str(), 0755);
    make_file(dir_ + "/bin/tool", 0755);
    make_file(dir_ + "/bin/plain", 0644);
    ASSERT_EQ(::symlink((dir_ + "/bin/tool").c_str(), (dir_ + "/current").c_str()), 0);
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }
  static void make_file(const std::string& path, mode_t mode) {
    std::ofstream(path) << "#!/bin/sh\n";
    ::chmod(path.c_str(), mode);
  }
  std::string dir_;
};

TEST_F(ResolveExecutable, BareNameIsLookedUpInPath) {
  EXPECT_EQ(resolve_executable("tool", "/", "/nonexistent:" + dir_ + "/bin"), dir_ + "/bin/tool");
  EXPECT_EQ(resolve_executable("plain", "/", dir_ + "/bin"), "");  // not executable
  EXPECT_EQ(resolve_executable("missing", "/", dir_ + "/bin"), "");
}

TEST_F(ResolveExecutable, RelativePathsAreTakenFromTheStartDirectory) {
  EXPECT_EQ(resolve_executable("bin/tool", dir_, ""), dir_ + "/bin/tool");
  EXPECT_EQ(resolve_executable("./bin/tool", dir_ + "/", ""), dir_ + "/./bin/tool");
  EXPECT_EQ(resolve_executable("tool", dir_ + "/bin", ":/nonexistent"), dir_ + "/bin/tool");
}

TEST_F(ResolveExecutable, SymlinksAreKeptSoAFlippedLinkPicksTheNewBinary) {
  EXPECT_EQ(resolve_executable(dir_ + "/current", "/", ""), dir_ + "/current");
}

TEST(StartupContext, EnvironmentWithReplacesAndRemoves) {
  StartupContext ctx;
  ctx.env = {"PATH=/bin", "GUNICORN_FD=3", "LISTEN_FDS=2", "HOME=/root", "EMPTY="};
  auto env = ctx.environment_with({"GUNICORN_FD", "LISTEN_FDS"}, {"GUNICORN_PID=42", "HOME=/x"});
  EXPECT_EQ(env, (std::vector<std::string>{"PATH=/bin", "EMPTY=", "GUNICORN_PID=42", "HOME=/x"}));
}

TEST(StartupContext, CaptureSnapshotsArgvEnvAndCwd) {
  ::setenv("GF_STARTUP_TEST", "before", 1);
  char a0[] = "/bin/sh", a1[] = "-c";
  char* argv[] = {a0, a1, nullptr};
  StartupContext ctx = StartupContext::capture(2, argv);
  ::setenv("GF_STARTUP_TEST", "after", 1);
  EXPECT_EQ(ctx.argv, (std::vector<std::string>{"/bin/sh", "-c"}));
  EXPECT_EQ(ctx.executable, "/bin/sh");
  EXPECT_NE(std::find(ctx.env.begin(), ctx.env.end(), "GF_STARTUP_TEST=before"), ctx.env.end());
  char buf[4096];
  struct stat a {
  }, b{};
  ASSERT_EQ(::stat(ctx.cwd.c_str(), &a), 0);
  ASSERT_EQ(::stat(::getcwd(buf, sizeof buf), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
}

}  // namespace
}  // namespace gf::util
