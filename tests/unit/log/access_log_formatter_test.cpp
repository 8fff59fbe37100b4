#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <map>
#include <string>

#include "log/access_log.hpp"

namespace gf::log {
namespace {

using namespace std::chrono_literals;

// 2026-11-25 16:15:01 UTC.
constexpr std::time_t kStart = 1795623301;

class AccessLogFormatterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    record_.remote_addr = "127.0.0.1";
    record_.method = "GET";
    record_.raw_uri = "/a%20b/c?x=1";
    record_.protocol = "HTTP/1.1";
    record_.query = "x=1";
    record_.path_info = "/a b/c";
    record_.status = "200 OK";
    record_.body_bytes = 393;
    record_.start = std::chrono::system_clock::from_time_t(kStart);
    record_.duration = 0us;
    record_.pid = 4242;
    record_.request_header = [this](std::string_view name) -> std::optional<std::string_view> {
      auto it = request_headers_.find(std::string(name));
      if (it == request_headers_.end()) return std::nullopt;
      return std::string_view(it->second);
    };
    record_.response_header = [this](std::string_view name) -> std::optional<std::string_view> {
      auto it = response_headers_.find(std::string(name));
      if (it == response_headers_.end()) return std::nullopt;
      return std::string_view(it->second);
    };
    record_.environ_lookup = [this](std::string_view name) -> std::optional<std::string> {
      auto it = environ_.find(std::string(name));
      if (it == environ_.end()) return std::nullopt;
      return it->second;
    };
  }

  std::string render(std::string_view format) { return AccessLogFormatter(format).render(record_); }

  AccessRecord record_;
  std::map<std::string, std::string> request_headers_;   // keyed by upper-case name
  std::map<std::string, std::string> response_headers_;  // keyed as the format writes it
  std::map<std::string, std::string> environ_;
};

constexpr std::string_view kDefaultFormat =
    R"(%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s")";

TEST_F(AccessLogFormatterTest, DefaultFormatIsByteExact) {
  EXPECT_EQ(
      render(kDefaultFormat),
      R"(127.0.0.1 - - [25/Nov/2026:16:15:01 +0000] "GET /a%20b/c?x=1 HTTP/1.1" 200 393 "-" "-")");
}

TEST_F(AccessLogFormatterTest, DefaultFormatWithHeaders) {
  request_headers_["REFERER"] = "http://example.com/";
  request_headers_["USER-AGENT"] = "curl/8.0";
  request_headers_["AUTHORIZATION"] = "Basic dXNlcjpwYXNz";  // user:pass
  EXPECT_EQ(
      render(kDefaultFormat),
      R"(127.0.0.1 - user [25/Nov/2026:16:15:01 +0000] "GET /a%20b/c?x=1 HTTP/1.1" 200 393 "http://example.com/" "curl/8.0")");
}

TEST_F(AccessLogFormatterTest, SimpleAtoms) {
  EXPECT_EQ(render("%(h)s"), "127.0.0.1");
  EXPECT_EQ(render("%(l)s"), "-");
  EXPECT_EQ(render("%(r)s"), "GET /a%20b/c?x=1 HTTP/1.1");
  EXPECT_EQ(render("%(s)s"), "200");
  EXPECT_EQ(render("%(m)s"), "GET");
  EXPECT_EQ(render("%(U)s"), "/a b/c");
  EXPECT_EQ(render("%(q)s"), "x=1");
  EXPECT_EQ(render("%(H)s"), "HTTP/1.1");
  EXPECT_EQ(render("%(B)s"), "393");
  EXPECT_EQ(render("%(b)s"), "393");
  EXPECT_EQ(render("%(f)s"), "-");
  EXPECT_EQ(render("%(a)s"), "-");
  EXPECT_EQ(render("%(p)s"), "<4242>");
  EXPECT_EQ(render("%(t)s"), "[25/Nov/2026:16:15:01 +0000]");
}

TEST_F(AccessLogFormatterTest, MissingBodyBytes) {
  record_.body_bytes.reset();
  EXPECT_EQ(render("%(b)s"), "-");
  record_.body_bytes = 0;
  EXPECT_EQ(render("%(b)s %(B)s"), "0 0");
}

TEST_F(AccessLogFormatterTest, StatusIsFirstToken) {
  record_.status = "404 Not Found";
  EXPECT_EQ(render("%(s)s"), "404");
  record_.status = "599";
  EXPECT_EQ(render("%(s)s"), "599");
}

TEST_F(AccessLogFormatterTest, Durations) {
  record_.duration = 2'345'678us;
  EXPECT_EQ(render("%(T)s %(M)s %(D)s %(L)s"), "2 2345 2345678 2.345678");
  record_.duration = 7us;
  EXPECT_EQ(render("%(T)s %(M)s %(D)s %(L)s"), "0 0 7 0.000007");
}

TEST_F(AccessLogFormatterTest, TimeIsWhenTheResponseFinished) {
  record_.duration = 3'500'000us;
  EXPECT_EQ(render("%(t)s"), "[25/Nov/2026:16:15:04 +0000]");
}

TEST_F(AccessLogFormatterTest, MonthNamesAreEnglish) {
  record_.start = std::chrono::system_clock::from_time_t(1767225600);  // 2026-01-01 00:00:00
  EXPECT_EQ(render("%(t)s"), "[01/Jan/2026:00:00:00 +0000]");
}

TEST_F(AccessLogFormatterTest, NonUtcOffset) {
  ::setenv("TZ", "EST5", 1);
  ::tzset();
  record_.start = std::chrono::system_clock::from_time_t(kStart + 86400);  // new second: no cache
  EXPECT_EQ(render("%(t)s"), "[26/Nov/2026:11:15:01 -0500]");
  ::setenv("TZ", "UTC", 1);
  ::tzset();
}

TEST_F(AccessLogFormatterTest, HeaderAndEnvironAtoms) {
  request_headers_["X-FORWARDED-FOR"] = "10.0.0.1";
  response_headers_["content-type"] = "text/plain";
  environ_["REMOTE_USER"] = "bob";
  EXPECT_EQ(render("%({x-forwarded-for}i)s"), "10.0.0.1");
  EXPECT_EQ(render("%({X-Forwarded-For}i)s"), "10.0.0.1");
  EXPECT_EQ(render("%({content-type}o)s"), "text/plain");
  EXPECT_EQ(render("%({REMOTE_USER}e)s"), "bob");
  EXPECT_EQ(render("%({missing}i)s %({missing}o)s %({missing}e)s"), "- - -");
  EXPECT_EQ(render("%({x-forwarded-for}I)s"), "10.0.0.1");  // suffix matched lowercased too
  EXPECT_EQ(render("%({x}z)s"), "-");
}

TEST_F(AccessLogFormatterTest, MissingLookupsRenderDash) {
  record_.request_header = nullptr;
  record_.response_header = nullptr;
  record_.environ_lookup = nullptr;
  EXPECT_EQ(render("%(u)s %(f)s %(a)s %({a}i)s %({b}o)s %({c}e)s"), "- - - - - -");
}

TEST_F(AccessLogFormatterTest, UnknownAtomsRenderDash) {
  EXPECT_EQ(render("%(nope)s|%(x)s|%()s"), "-|-|-");
}

TEST_F(AccessLogFormatterTest, PercentHandling) {
  EXPECT_EQ(render("100%% %(s)s"), "100% 200");
  EXPECT_EQ(render("%%(h)s"), "%(h)s");
  EXPECT_EQ(render("50% off"), "50% off");  // key-less spec stays literal
  EXPECT_EQ(render("tail %"), "tail %");
  EXPECT_EQ(render("bad %(h"), "bad %(h");    // unterminated key
  EXPECT_EQ(render("bad %(h)"), "bad %(h)");  // no conversion
}

TEST_F(AccessLogFormatterTest, OtherConversionsRenderAsString) {
  record_.duration = 1'500'000us;
  EXPECT_EQ(render("%(D)d %(T)d %(h)d %(s)r"), "1500000 1 127.0.0.1 200");
}

TEST_F(AccessLogFormatterTest, WidthAndPrecision) {
  EXPECT_EQ(render("[%(s)5s]"), "[  200]");
  EXPECT_EQ(render("[%(s)-5s]"), "[200  ]");
  EXPECT_EQ(render("[%(h).3s]"), "[127]");
  EXPECT_EQ(render("[%(B)06d]"), "[000393]");
  EXPECT_EQ(render("[%(s)05s]"), "[  200]");  // Python ignores 0 for %s
}

TEST_F(AccessLogFormatterTest, QuotesAreEscaped) {
  request_headers_["USER-AGENT"] = R"(evil "agent")";
  record_.raw_uri = R"(/"x")";
  EXPECT_EQ(render(R"("%(a)s" "%(r)s")"), R"("evil \"agent\"" "GET /\"x\" HTTP/1.1")");
}

TEST_F(AccessLogFormatterTest, ControlBytesAreHexEscaped) {
  request_headers_["USER-AGENT"] = std::string("a\r\nb\x1b[31m\x7f\t", 11);
  EXPECT_EQ(render("%(a)s"), R"(a\x0d\x0ab\x1b[31m\x7f\x09)");
}

TEST_F(AccessLogFormatterTest, LiteralsAreNotEscaped) {
  EXPECT_EQ(render("\"quoted\" %(s)s"), "\"quoted\" 200");
}

TEST_F(AccessLogFormatterTest, BasicAuthUser) {
  auto user_for = [&](std::string value) {
    request_headers_["AUTHORIZATION"] = std::move(value);
    return render("%(u)s");
  };
  EXPECT_EQ(user_for("Basic dXNlcjpwYXNz"), "user");
  EXPECT_EQ(user_for("basic   dXNlcjpwYXNz  "), "user");
  EXPECT_EQ(user_for("Basic dXNlcg=="), "user");  // no colon: whole text
  EXPECT_EQ(user_for("Basic dXNlcg"), "user");    // missing padding tolerated
  EXPECT_EQ(user_for("Basic OnBhc3M="), "-");     // ":pass": empty user
  EXPECT_EQ(user_for("Basic !!!!"), "-");         // not base64
  EXPECT_EQ(user_for("Basic dXNlc"), "-");        // impossible length
  EXPECT_EQ(user_for("Bearer dXNlcjpwYXNz"), "-");
  EXPECT_EQ(user_for("Basic"), "-");
  EXPECT_EQ(user_for("Basic IiI6eA=="), R"(\"\")");  // '"":x' escaped like any value
}

TEST_F(AccessLogFormatterTest, CopiesRenderTheSame) {
  AccessLogFormatter a(kDefaultFormat);
  AccessLogFormatter b = a;
  AccessLogFormatter c = std::move(a);
  EXPECT_EQ(b.render(record_), c.render(record_));
}

TEST_F(AccessLogFormatterTest, RenderingAgainIntoOneBufferGivesTheSameLine) {
  // The worker reuses one buffer per line; its speed is measured in bench/micro, not here.
  request_headers_["USER-AGENT"] = "Mozilla/5.0 (X11; Linux x86_64)";
  AccessLogFormatter formatter(kDefaultFormat);
  std::string first, out;
  formatter.render_to(record_, first);
  for (int i = 0; i < 3; ++i) {
    out.clear();
    formatter.render_to(record_, out);
    EXPECT_EQ(out, first);
  }
}

}  // namespace
}  // namespace gf::log
