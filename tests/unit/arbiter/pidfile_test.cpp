#include "arbiter/pidfile.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace gf::arbiter {
namespace {

namespace fs = std::filesystem;

class PidfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gf-pidfile-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const char* name) const { return (dir_ / name).string(); }
  static std::string read(const std::string& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static void write(const std::string& p, const std::string& text) { std::ofstream(p) << text; }
  // A pid that certainly belongs to no process: a child we already reaped.
  static pid_t dead_pid() {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    ::waitpid(pid, nullptr, 0);
    return pid;
  }

  fs::path dir_;
};

TEST_F(PidfileTest, WritesPidWithMode0644AndRemovesItAtTheEnd) {
  const std::string p = path("app.pid");
  {
    Pidfile pidfile(p);
    pidfile.create(::getpid());
    EXPECT_EQ(read(p), std::to_string(::getpid()) + "\n");
    struct stat st {};
    ASSERT_EQ(::stat(p.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644u);
  }
  EXPECT_FALSE(fs::exists(p));
  // No temporary files left behind.
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(PidfileTest, RefusesALivePid) {
  const std::string p = path("app.pid");
  write(p, std::to_string(::getppid()) + "\n");  // our parent is alive
  Pidfile pidfile(p);
  try {
    pidfile.create(::getpid());
    FAIL() << "expected StartupError";
  } catch (const StartupError& e) {
    EXPECT_EQ(std::string(e.what()), "Already running on PID " + std::to_string(::getppid()) +
                                         " (or pid file '" + p + "' is stale)");
  }
  EXPECT_EQ(read(p), std::to_string(::getppid()) + "\n") << "a live master's file is kept";
}

TEST_F(PidfileTest, ReplacesStaleOrGarbageFiles) {
  const std::string p = path("app.pid");
  for (const std::string& old :
       {std::to_string(dead_pid()) + "\n", std::string("garbage"), std::string("")}) {
    write(p, old);
    Pidfile pidfile(p);
    pidfile.create(::getpid());
    EXPECT_EQ(read(p), std::to_string(::getpid()) + "\n");
  }
}

TEST_F(PidfileTest, LeavesAFileThatIsNoLongerOurs) {
  const std::string p = path("app.pid");
  Pidfile pidfile(p);
  pidfile.create(::getpid());
  write(p, "1\n");  // another master took the name over
  pidfile.unlink();
  EXPECT_EQ(read(p), "1\n");
}

TEST_F(PidfileTest, RenameMovesTheFile) {
  const std::string p = path("app.pid");
  Pidfile pidfile(p + ".2");
  pidfile.create(::getpid());
  pidfile.rename(p);
  EXPECT_FALSE(fs::exists(p + ".2"));
  EXPECT_EQ(read(p), std::to_string(::getpid()) + "\n");
  EXPECT_EQ(pidfile.path(), p);
}

TEST_F(PidfileTest, MissingDirectoryIsAStartupError) {
  Pidfile pidfile(path("missing/app.pid"));
  EXPECT_THROW(pidfile.create(::getpid()), StartupError);
}

}  // namespace
}  // namespace gf::arbiter
