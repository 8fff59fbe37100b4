// --help, --version, --print-config and the not-yet-supported warnings.
#include <gtest/gtest.h>

#include <sstream>

#include "config/command_line.hpp"
#include "config/python_repr.hpp"
#include "config/settings_table.hpp"
#include "scoped_env.hpp"
#include "util/python_repr.hpp"

namespace gf::config {
namespace {

using testing::ScopedEnv;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

TEST(HelpText, ListsEveryFlagWithDefaultsGroupedBySection) {
  ScopedEnv concurrency("WEB_CONCURRENCY", nullptr);
  const std::string help = help_text("greenfork");
  EXPECT_TRUE(help.starts_with("usage: greenfork [OPTIONS] [APP_MODULE]\n"));
  for (const SettingSpec& spec : settings_table()) {
    for (std::string_view flag : spec.flags) {
      EXPECT_NE(help.find(std::string(flag)), std::string::npos) << flag;
    }
  }
  EXPECT_NE(help.find("-h, --help"), std::string::npos);
  EXPECT_NE(help.find("-v, --version"), std::string::npos);
  EXPECT_NE(help.find("\nServer Socket:\n"), std::string::npos);
  EXPECT_NE(help.find("\nSSL:\n"), std::string::npos);
  EXPECT_EQ(help.find("\nServer Hooks:\n"), std::string::npos) << "no flags in that section";
  EXPECT_NE(help.find("  -w INT, --workers INT\n"), std::string::npos);
  EXPECT_NE(help.find("[1]"), std::string::npos);
  EXPECT_NE(help.find("  --proxy-protocol [MODE]"), std::string::npos);
  EXPECT_NE(help.find("  -D, --daemon          Daemonize the Gunicorn process. [False]\n"),
            std::string::npos);
  for (const std::string& line : lines_of(help)) {
    EXPECT_LE(line.size(), 78u) << line;  // long flags alone may not fit, but none is that long
  }
}

TEST(VersionText, OneLine) {
  EXPECT_EQ(version_text(), "greenfork (version 0.1.0)");
}

TEST(PrintConfig, SortedPaddedPythonStrValues) {
  ScopedEnv port("PORT", nullptr);
  ScopedEnv concurrency("WEB_CONCURRENCY", nullptr);
  Config config;
  config.set("workers", "3");
  config.set("accesslog", "-");
  const std::vector<std::string> lines = lines_of(print_config_text(config));
  ASSERT_EQ(lines.size(), settings_table().size());
  EXPECT_TRUE(std::is_sorted(lines.begin(), lines.end()));
  const std::string width(std::string("permit_unconventional_http_version").size(), ' ');
  auto line_for = [&](std::string name) {
    for (const std::string& line : lines) {
      if (line.starts_with(name + " ")) return line;
    }
    return std::string("missing");
  };
  auto padded = [&](std::string name) { return name + width.substr(name.size()) + " = "; };
  EXPECT_EQ(line_for("workers"), padded("workers") + "3");
  EXPECT_EQ(line_for("accesslog"), padded("accesslog") + "-");
  EXPECT_EQ(line_for("bind"), padded("bind") + "['127.0.0.1:8000']");
  EXPECT_EQ(line_for("daemon"), padded("daemon") + "False");
  EXPECT_EQ(line_for("pidfile"), padded("pidfile") + "None");
  EXPECT_EQ(line_for("sendfile"), padded("sendfile") + "None");
  EXPECT_EQ(line_for("suppress_ragged_eofs"), padded("suppress_ragged_eofs") + "True");
  EXPECT_EQ(line_for("on_starting"), padded("on_starting") + "<on_starting()>");
  EXPECT_EQ(line_for("secure_scheme_headers"),
            padded("secure_scheme_headers") +
                "{'X-FORWARDED-PROTOCOL': 'ssl', 'X-FORWARDED-PROTO': 'https', "
                "'X-FORWARDED-SSL': 'on'}");
  EXPECT_EQ(line_for("logconfig_dict"), padded("logconfig_dict") + "{}");
  EXPECT_EQ(line_for("root_path"), padded("root_path") + "");
}

TEST(PythonRepr, QuotesLikePython) {
  EXPECT_EQ(util::python_repr_utf8("it's"), "\"it's\"");
  EXPECT_EQ(util::python_repr_utf8("a\"b"), "'a\"b'");
  EXPECT_EQ(util::python_repr_utf8("a'b\"c"), "'a\\'b\"c'");
  EXPECT_EQ(util::python_repr_utf8("a\\b\n\x01"), "'a\\\\b\\n\\x01'");
  EXPECT_EQ(python_repr(Value(StringList{"a", "it's"})), "['a', \"it's\"]");
  EXPECT_EQ(python_repr(Value(2.0)), "2.0");
  EXPECT_EQ(python_str(Value(std::string("x"))), "x");
}

TEST(UnsupportedInUse, OnlyChangedNotYetSupportedSettings) {
  Config config;
  EXPECT_TRUE(unsupported_in_use(config).empty());
  config.set("statsd_host", "localhost:8125");
  config.set("workers", "4");
  config.set("preload_app", "false");  // explicit, but the default value
  const auto messages = unsupported_in_use(config);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].rfind("Setting 'statsd_host' (--statsd-host) is not supported yet by "
                              "greenfork: ",
                              0),
            0u)
      << messages[0];
  EXPECT_NE(messages[0].find("; ignoring it"), std::string::npos);
}

TEST(RefusedInUse, SettingsThatCannotBeIgnoredSafelyStopStartUp) {
  Config config;
  EXPECT_TRUE(refused_in_use(config).empty());
  config.set("daemon", "true");  // implemented now: neither refused nor warned about
  config.set("user", "nobody");
  EXPECT_TRUE(refused_in_use(config).empty());
  EXPECT_TRUE(unsupported_in_use(config).empty());
  config.set("certfile", "cert.pem");
  config.set("keyfile", "key.pem");
  const auto messages = refused_in_use(config);
  ASSERT_EQ(messages.size(), 2u);  // in table order: keyfile before certfile
  EXPECT_NE(messages[0].find("'keyfile' (--keyfile)"), std::string::npos);
  EXPECT_EQ(messages[1],
            "Error: Setting 'certfile' (--certfile) is not supported yet by greenfork (TLS comes "
            "in a later issue); refusing to start without it");
  EXPECT_TRUE(unsupported_in_use(config).empty()) << "reported once, as an error";
}

}  // namespace
}  // namespace gf::config
