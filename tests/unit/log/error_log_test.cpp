#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "log/access_log.hpp"
#include "log/error_log.hpp"

namespace gf::log {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "gf-log-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

class ErrorLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
  void TearDown() override { ErrorLog::get().configure("-", Level::kInfo, false); }
  TempDir dir_;
};

TEST_F(ErrorLogTest, LineFormatMatchesGunicorn) {
  auto path = dir_.path() / "error.log";
  ErrorLog& log = ErrorLog::get();
  log.configure(path.string(), Level::kInfo, false);
  log.info("Starting gunicorn {}", "26.1.0");
  log.error("Worker (pid:{}) was sent SIGKILL!", 17);
  // Tests for the tests' own TZ (UTC) and the live pid; the format is checked byte by byte
  // apart from the clock digits.
  std::string pid = std::to_string(::getpid());
  std::regex line(R"(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000\] \[)" + pid +
                  R"(\] \[INFO\] Starting gunicorn 26\.1\.0\n)" +
                  R"(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000\] \[)" + pid +
                  R"(\] \[ERROR\] Worker \(pid:17\) was sent SIGKILL!\n)");
  std::string text = slurp(path);
  EXPECT_TRUE(std::regex_match(text, line)) << text;
}

TEST_F(ErrorLogTest, LevelFilter) {
  auto path = dir_.path() / "error.log";
  ErrorLog& log = ErrorLog::get();
  log.configure(path.string(), Level::kWarning, false);
  log.debug("d");
  log.info("i");
  log.warning("w");
  log.error("e");
  log.critical("c");
  log.write(Level::kInfo, "direct write is filtered too");
  std::string text = slurp(path);
  EXPECT_EQ(text.find("[DEBUG]"), std::string::npos);
  EXPECT_EQ(text.find("[INFO]"), std::string::npos);
  EXPECT_NE(text.find("[WARNING] w\n"), std::string::npos);
  EXPECT_NE(text.find("[ERROR] e\n"), std::string::npos);
  EXPECT_NE(text.find("[CRITICAL] c\n"), std::string::npos);
  EXPECT_TRUE(log.enabled(Level::kError));
  EXPECT_FALSE(log.enabled(Level::kInfo));
  log.set_level(Level::kDebug);
  EXPECT_TRUE(log.enabled(Level::kDebug));
}

TEST_F(ErrorLogTest, AppendsToExistingFile) {
  auto path = dir_.path() / "error.log";
  { std::ofstream(path) << "old line\n"; }
  ErrorLog::get().configure(path.string(), Level::kInfo, false);
  ErrorLog::get().info("new");
  std::string text = slurp(path);
  EXPECT_EQ(text.rfind("old line\n", 0), 0u);
  EXPECT_NE(text.find("[INFO] new\n"), std::string::npos);
}

TEST_F(ErrorLogTest, ReopenAfterRename) {
  auto path = dir_.path() / "error.log";
  auto rotated = dir_.path() / "error.log.1";
  ErrorLog& log = ErrorLog::get();
  log.configure(path.string(), Level::kInfo, false);
  int fd_before = log.fd();
  log.info("before");
  fs::rename(path, rotated);
  log.info("still old");
  log.reopen();
  log.info("after");
  EXPECT_EQ(log.fd(), fd_before);  // the descriptor number is stable for concurrent writers
  std::string old_text = slurp(rotated);
  std::string new_text = slurp(path);
  EXPECT_NE(old_text.find("before"), std::string::npos);
  EXPECT_NE(old_text.find("still old"), std::string::npos);
  EXPECT_EQ(old_text.find("after"), std::string::npos);
  EXPECT_NE(new_text.find("[INFO] after\n"), std::string::npos);
}

TEST_F(ErrorLogTest, UnopenableFileThrows) {
  EXPECT_THROW(
      ErrorLog::get().configure((dir_.path() / "no/such/dir/x.log").string(), Level::kInfo, false),
      std::runtime_error);
}

TEST_F(ErrorLogTest, CaptureOutputAndPidAfterFork) {
  // Runs in a child: capture_output rewires this process's fds 1 and 2.
  auto path = dir_.path() / "captured.log";
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ErrorLog& log = ErrorLog::get();
    log.configure(path.string(), Level::kInfo, true);
    std::fputs("from stdout\n", stdout);
    std::fflush(stdout);
    std::fputs("from stderr\n", stderr);
    log.info("child {}", ::getpid());
    std::_Exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  std::string text = slurp(path);
  EXPECT_NE(text.find("from stdout\n"), std::string::npos);
  EXPECT_NE(text.find("from stderr\n"), std::string::npos);
  // The pid cached before fork() was refreshed in the child.
  std::string expected = "[" + std::to_string(child) + "] [INFO] child " + std::to_string(child);
  EXPECT_NE(text.find(expected), std::string::npos) << text;
}

TEST(ParseLevel, Names) {
  EXPECT_EQ(parse_level("debug"), Level::kDebug);
  EXPECT_EQ(parse_level("INFO"), Level::kInfo);
  EXPECT_EQ(parse_level("Warning"), Level::kWarning);
  EXPECT_EQ(parse_level("error"), Level::kError);
  EXPECT_EQ(parse_level("critical"), Level::kCritical);
  EXPECT_EQ(parse_level("warn"), std::nullopt);
  EXPECT_EQ(parse_level(""), std::nullopt);
}

TEST(AccessLogFile, WritesLinesAndReopens) {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  TempDir dir;
  auto path = dir.path() / "access.log";
  AccessLog log(path.string(), "%(m)s %(U)s %(s)s");
  AccessRecord record;
  record.method = "GET";
  record.path_info = "/one";
  record.status = "200 OK";
  log.log(record);
  fs::rename(path, dir.path() / "access.log.1");
  log.reopen();
  record.path_info = "/two";
  log.log(record);
  EXPECT_EQ(slurp(dir.path() / "access.log.1"), "GET /one 200\n");
  EXPECT_EQ(slurp(path), "GET /two 200\n");
}

TEST(AccessLogFile, UnopenableFileThrows) {
  EXPECT_THROW(AccessLog("/nonexistent-dir/x/access.log", "%(h)s"), std::runtime_error);
}

}  // namespace
}  // namespace gf::log
