#include "config/value_parser.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "config/python_int.hpp"

namespace gf::config {
namespace {

Value parse(std::string_view name, std::string_view raw) {
  return parse_value(*find_setting(name), raw);
}

TEST(PythonInt, AcceptsWhatIntWithBaseZeroAccepts) {
  EXPECT_EQ(parse_python_int("42"), 42);
  EXPECT_EQ(parse_python_int("  42 \n"), 42);
  EXPECT_EQ(parse_python_int("0x1F"), 31);
  EXPECT_EQ(parse_python_int("0o17"), 15);
  EXPECT_EQ(parse_python_int("0b101"), 5);
  EXPECT_EQ(parse_python_int("1_000"), 1000);
  EXPECT_EQ(parse_python_int("0x_ff"), 255);
  EXPECT_EQ(parse_python_int("-7"), -7);
  EXPECT_EQ(parse_python_int("+7"), 7);
  EXPECT_EQ(parse_python_int("0"), 0);
  EXPECT_EQ(parse_python_int("000"), 0);
}

TEST(PythonInt, RejectsWhatIntWithBaseZeroRejects) {
  for (const char* bad : {"", " ", "x", "4x", "1.5", "007", "1__0", "_1", "1_", "0x", "0xg", "1e3",
                          "99999999999999999999"}) {
    EXPECT_FALSE(parse_python_int(bad).has_value()) << bad;
  }
}

TEST(PythonInt, Base10AllowsLeadingZerosButNoPrefix) {
  EXPECT_EQ(parse_python_int("007", 10), 7);
  EXPECT_FALSE(parse_python_int("0x10", 10).has_value());
}

TEST(PythonInt, OctalFriendlyReadsLeadingZeroAsOctal) {
  EXPECT_EQ(parse_octal_friendly_int("0022"), 022);
  EXPECT_EQ(parse_octal_friendly_int("022"), 022);
  EXPECT_EQ(parse_octal_friendly_int("0"), 0);
  EXPECT_EQ(parse_octal_friendly_int("18"), 18);
  EXPECT_EQ(parse_octal_friendly_int("0x12"), 0x12);
  EXPECT_FALSE(parse_octal_friendly_int("08").has_value());
}

TEST(ValueParser, Booleans) {
  EXPECT_EQ(parse("daemon", "true"), Value(true));
  EXPECT_EQ(parse("daemon", "TRUE"), Value(true));
  EXPECT_EQ(parse("daemon", " False "), Value(false));
  EXPECT_THROW(parse("daemon", "yes"), InvalidValue);
  EXPECT_THROW(parse("daemon", "1"), InvalidValue);
}

TEST(ValueParser, PositiveIntegers) {
  EXPECT_EQ(parse("workers", "4"), Value(int64_t{4}));
  EXPECT_EQ(parse("workers", "0x10"), Value(int64_t{16}));
  EXPECT_EQ(parse("timeout", "0"), Value(int64_t{0}));
  EXPECT_THROW(parse("workers", "-1"), InvalidValue);
  EXPECT_THROW(parse("workers", "x"), InvalidValue);
  EXPECT_THROW(parse("workers", "2.5"), InvalidValue);
  try {
    parse("workers", "x");
    FAIL();
  } catch (const InvalidValue& e) {
    EXPECT_STREQ(e.what(), "expected a positive integer");
  }
}

TEST(ValueParser, BoundedIntegers) {
  EXPECT_EQ(parse("http2_max_frame_size", "16384"), Value(int64_t{16384}));
  EXPECT_THROW(parse("http2_max_frame_size", "16383"), InvalidValue);
  EXPECT_THROW(parse("http2_max_frame_size", "16777216"), InvalidValue);
}

TEST(ValueParser, UmaskIsOctalFriendly) {
  EXPECT_EQ(parse("umask", "0022"), Value(int64_t{18}));
  EXPECT_EQ(parse("umask", "0o22"), Value(int64_t{18}));
  EXPECT_EQ(parse("umask", "18"), Value(int64_t{18}));
  EXPECT_THROW(parse("umask", "-1"), InvalidValue);
  EXPECT_THROW(parse("umask", "0099"), InvalidValue);
}

TEST(ValueParser, LimitsStoreTheRawValueUnclamped) {
  EXPECT_EQ(parse("limit_request_line", "10000"), Value(int64_t{10000}));
  EXPECT_EQ(parse("limit_request_fields", "0"), Value(int64_t{0}));
}

TEST(ValueParser, StringsAreStripped) {
  EXPECT_EQ(parse("accesslog", "  access.log "), Value(std::string("access.log")));
  EXPECT_EQ(parse("bind", " 0.0.0.0:80 "), Value(StringList{"0.0.0.0:80"}));
  EXPECT_EQ(parse("bind", ""), Value(StringList{}));
}

TEST(ValueParser, ChoicesAreCaseInsensitiveAndCanonical) {
  EXPECT_EQ(parse("loglevel", "DEBUG"), Value(std::string("debug")));
  EXPECT_EQ(parse("header_map", "refuse"), Value(std::string("refuse")));
  EXPECT_EQ(parse("http_parser", "python"), Value(std::string("python")));
  EXPECT_THROW(parse("loglevel", "verbose"), InvalidValue);
  EXPECT_THROW(parse("header_map", "keep"), InvalidValue);
  EXPECT_THROW(parse("reload_engine", "fsevents"), InvalidValue);
  try {
    parse("header_map", "keep");
    FAIL();
  } catch (const InvalidValue& e) {
    EXPECT_STREQ(e.what(), "expected one of drop, refuse, dangerous");
  }
}

TEST(ValueParser, WorkerClassAcceptsPythonPaths) {
  EXPECT_EQ(parse("worker_class", "gthread"), Value(std::string("gthread")));
  EXPECT_EQ(parse("worker_class", "myapp.workers.Custom"),
            Value(std::string("myapp.workers.Custom")));
  EXPECT_EQ(parse("worker_class", "egg:gunicorn#gevent"),
            Value(std::string("egg:gunicorn#gevent")));
  EXPECT_THROW(parse("worker_class", "threads"), InvalidValue);
}

TEST(ValueParser, ProxyProtocolAliases) {
  EXPECT_EQ(parse("proxy_protocol", "v2"), Value(std::string("v2")));
  EXPECT_EQ(parse("proxy_protocol", "true"), Value(std::string("auto")));
  EXPECT_EQ(parse("proxy_protocol", "1"), Value(std::string("auto")));
  EXPECT_EQ(parse("proxy_protocol", "False"), Value(std::string("off")));
  EXPECT_EQ(parse("proxy_protocol", "0"), Value(std::string("off")));
  EXPECT_EQ(parse("proxy_protocol", "none"), Value(std::string("off")));
  EXPECT_THROW(parse("proxy_protocol", "v3"), InvalidValue);
}

TEST(ValueParser, CommaLists) {
  EXPECT_EQ(parse("forwarder_headers", "SCRIPT_NAME, PATH_INFO,,X"),
            Value(StringList{"SCRIPT_NAME", "PATH_INFO", "X"}));
  EXPECT_EQ(parse("forwarder_headers", " "), Value(StringList{}));
  EXPECT_EQ(parse("http_protocols", "h2,H1"), Value(StringList{"h2", "h1"}));
  EXPECT_THROW(parse("http_protocols", "h1,h1"), InvalidValue);
  EXPECT_THROW(parse("http_protocols", "h4"), InvalidValue);
}

TEST(ValueParser, AddressLists) {
  EXPECT_EQ(parse("forwarded_allow_ips", "10.0.0.0/8, ::1,*"),
            Value(StringList{"10.0.0.0/8", "::1", "*"}));
  EXPECT_EQ(parse("proxy_allow_ips", "192.168.1.7"), Value(StringList{"192.168.1.7"}));
  EXPECT_THROW(parse("forwarded_allow_ips", "10.0.0.1/8"), InvalidValue);  // host bits set
  EXPECT_THROW(parse("forwarded_allow_ips", "localhost"), InvalidValue);
  EXPECT_THROW(parse("forwarded_allow_ips", "127.0.0.1,300.1.1.1"), InvalidValue);
}

TEST(ValueParser, ChdirMustExistAndBecomesAbsolute) {
  const std::string cwd = std::filesystem::current_path().string();
  EXPECT_EQ(parse("chdir", "."), Value(cwd));
  EXPECT_EQ(parse("chdir", "/tmp/"), Value(std::string("/tmp")));
  EXPECT_THROW(parse("chdir", "/no/such/dir/anywhere"), InvalidValue);
}

TEST(ValueParser, UsersAndGroups) {
  EXPECT_EQ(parse("user", "0"), Value(int64_t{0}));
  EXPECT_EQ(parse("user", "root"), Value(int64_t{0}));
  EXPECT_EQ(parse("group", "0"), Value(int64_t{0}));
  EXPECT_THROW(parse("user", "no-such-user-greenfork"), InvalidValue);
  EXPECT_THROW(parse("group", "no-such-group-greenfork"), InvalidValue);
}

TEST(ValueParser, HooksNeedAnImportString) {
  EXPECT_EQ(parse("on_starting", "hooks.on_starting"), Value(std::string("hooks.on_starting")));
  EXPECT_THROW(parse("on_starting", "on_starting"), InvalidValue);
}

TEST(ValueParser, TypedValuesFromConfigFiles) {
  const SettingSpec& workers = *find_setting("workers");
  EXPECT_EQ(validate_value(workers, int64_t{3}), Value(int64_t{3}));
  EXPECT_EQ(validate_value(workers, std::string("0x3")), Value(int64_t{3}));
  EXPECT_EQ(validate_value(workers, true), Value(int64_t{1}));  // Python bools are ints
  EXPECT_THROW(validate_value(workers, int64_t{-3}), InvalidValue);
  EXPECT_THROW(validate_value(workers, StringList{"1"}), InvalidValue);
  EXPECT_THROW(validate_value(workers, std::monostate{}), InvalidValue);

  const SettingSpec& bind = *find_setting("bind");
  EXPECT_EQ(validate_value(bind, std::string("unix:/tmp/s")), Value(StringList{"unix:/tmp/s"}));
  EXPECT_EQ(validate_value(bind, StringList{" a ", "b"}), Value(StringList{"a", "b"}));
  EXPECT_EQ(validate_value(bind, std::monostate{}), Value(StringList{}));

  const SettingSpec& headers = *find_setting("secure_scheme_headers");
  const StringMap map = {{"X-SCHEME", "https"}};
  EXPECT_EQ(validate_value(headers, map), Value(map));
  EXPECT_THROW(validate_value(headers, std::string("X-SCHEME=https")), InvalidValue);

  EXPECT_EQ(validate_value(*find_setting("sendfile"), std::monostate{}), Value());
  EXPECT_THROW(validate_value(*find_setting("daemon"), int64_t{1}), InvalidValue);
  EXPECT_THROW(validate_value(*find_setting("forwarded_allow_ips"), StringList{"nope"}),
               InvalidValue);
}

}  // namespace
}  // namespace gf::config
