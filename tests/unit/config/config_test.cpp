#include "config/config.hpp"

#include <gtest/gtest.h>

#include "config/derived_settings.hpp"
#include "scoped_env.hpp"

namespace gf::config {
namespace {

using testing::ScopedEnv;

TEST(Config, GunicornDefaults) {
  ScopedEnv port("PORT", nullptr);
  ScopedEnv concurrency("WEB_CONCURRENCY", nullptr);
  ScopedEnv forwarded("FORWARDED_ALLOW_IPS", nullptr);
  const Config config;
  EXPECT_EQ(config.get(config::settings::bind), StringList{"127.0.0.1:8000"});
  EXPECT_EQ(config.get(config::settings::workers), 1);
  EXPECT_EQ(config.get(config::settings::backlog), 2048);
  EXPECT_EQ(config.get(config::settings::worker_class), "sync");
  EXPECT_EQ(config.get(config::settings::timeout), 30);
  EXPECT_EQ(config.get(config::settings::keepalive), 2);
  EXPECT_EQ(config.get(config::settings::limit_request_line), 4094);
  EXPECT_EQ(config.get(config::settings::errorlog), "-");
  EXPECT_EQ(config.get(config::settings::accesslog), std::nullopt);
  EXPECT_EQ(config.get(config::settings::loglevel), "info");
  EXPECT_EQ(config.get(config::settings::forwarded_allow_ips), (StringList{"127.0.0.1", "::1"}));
  EXPECT_EQ(config.get(config::settings::forwarder_headers),
            (StringList{"SCRIPT_NAME", "PATH_INFO"}));
  EXPECT_EQ(config.get(config::settings::secure_scheme_headers),
            (StringMap{{"X-FORWARDED-PROTOCOL", "ssl"},
                       {"X-FORWARDED-PROTO", "https"},
                       {"X-FORWARDED-SSL", "on"}}));
  EXPECT_EQ(config.get(config::settings::proxy_protocol), "off");
  EXPECT_EQ(config.get(config::settings::umask), 0);
  EXPECT_FALSE(config.get(config::settings::print_config));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(config.get("sendfile")));
  EXPECT_FALSE(config.is_set_explicitly("workers"));
  EXPECT_TRUE(config.app_uri.empty());
}

TEST(Config, EnvironmentDerivedDefaults) {
  ScopedEnv port("PORT", "5000");
  ScopedEnv concurrency("WEB_CONCURRENCY", "7");
  ScopedEnv forwarded("FORWARDED_ALLOW_IPS", "10.0.0.0/8,*");
  ScopedEnv venv("VIRTUAL_ENV", "/srv/venv");
  const Config config;
  EXPECT_EQ(config.get(config::settings::bind), StringList{"0.0.0.0:5000"});
  EXPECT_EQ(config.get(config::settings::workers), 7);
  EXPECT_EQ(config.get(config::settings::forwarded_allow_ips), (StringList{"10.0.0.0/8", "*"}));
  EXPECT_EQ(config.get(config::settings::virtualenv), "/srv/venv");
  EXPECT_FALSE(config.is_set_explicitly("workers"));
}

TEST(Config, InvalidEnvironmentDefaultsAreConfigErrors) {
  {
    ScopedEnv concurrency("WEB_CONCURRENCY", "lots");
    EXPECT_THROW(Config(), ConfigError);
  }
  {
    ScopedEnv concurrency("WEB_CONCURRENCY", "0x4");  // Gunicorn uses int(): base 10 only
    EXPECT_THROW(Config(), ConfigError);
  }
  ScopedEnv forwarded("FORWARDED_ALLOW_IPS", "not-an-ip");
  try {
    Config config;
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("FORWARDED_ALLOW_IPS"), std::string::npos);
  }
}

TEST(Config, SetParsesAndMarksExplicit) {
  Config config;
  config.set("workers", "4");
  EXPECT_EQ(config.get(config::settings::workers), 4);
  EXPECT_TRUE(config.is_set_explicitly("workers"));
  config.set_value("bind", StringList{"unix:/tmp/gf.sock"});
  EXPECT_EQ(config.get(config::settings::bind), StringList{"unix:/tmp/gf.sock"});
}

TEST(Config, InvalidValuesNameTheSetting) {
  Config config;
  try {
    config.set("workers", "x");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "Invalid value for workers: 'x' (expected a positive integer)");
  }
  try {
    config.set_value("workers", int64_t{-2});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "Invalid value for workers: -2 (expected a positive integer)");
  }
  EXPECT_EQ(config.get(config::settings::workers), 1);  // unchanged after a failed set
  EXPECT_THROW(config.set("no_such_setting", "1"), ConfigError);
}

TEST(Config, WrongTypeIsAProgrammingError) {
  // A key of the wrong type does not pass setting_keys_test; should one slip through, reading it
  // throws instead of misreading the value.
  const Config config;
  EXPECT_THROW(config.get(SettingKey<bool>{"workers"}), std::logic_error);
  EXPECT_THROW(config.get(SettingKey<int64_t>{"bind"}), std::logic_error);
  EXPECT_THROW(config.get(SettingKey<StringList>{"workers"}), std::logic_error);
  EXPECT_THROW(config.get(SettingKey<StringMap>{"bind"}), std::logic_error);
  EXPECT_THROW(config.get(SettingKey<std::string>{"workers"}), std::logic_error);
  EXPECT_THROW(config.get(SettingKey<bool>{"sendfile"}), std::logic_error);  // None until given
  EXPECT_THROW(config.get("nope"), std::out_of_range);
  EXPECT_EQ(config.get(config::settings::accesslog), std::nullopt);
  EXPECT_EQ(config.get(SettingKey<std::string>{"accesslog"}), "");  // None reads as ""
  EXPECT_EQ(config.get(config::settings::sendfile), std::nullopt);
}

TEST(Config, CopiesAreIndependent) {
  Config original;
  Config copy = original;
  copy.set("workers", "9");
  EXPECT_EQ(original.get(config::settings::workers), 1);
  EXPECT_EQ(copy.get(config::settings::workers), 9);
}

TEST(DerivedSettings, ProcNameSendfile) {
  ScopedEnv sendfile_env("SENDFILE", nullptr);
  Config config;
  EXPECT_EQ(effective_proc_name(config), "gunicorn");
  config.set("proc_name", "web");
  EXPECT_EQ(effective_proc_name(config), "web");

  EXPECT_TRUE(sendfile_enabled(config));
  {
    ScopedEnv off("SENDFILE", "no");
    EXPECT_FALSE(sendfile_enabled(config));
    ScopedEnv on("SENDFILE", "YES");
    EXPECT_TRUE(sendfile_enabled(config));
  }
  config.set("sendfile", "true");  // Gunicorn's quirk: any explicit value disables it
  EXPECT_FALSE(sendfile_enabled(config));
}

TEST(DerivedSettings, EnvironmentPairsAndPythonPath) {
  Config config;
  config.set_value("raw_env", StringList{"A=1", "B=x=y"});
  const std::vector<std::pair<std::string, std::string>> expected = {{"A", "1"}, {"B", "x=y"}};
  EXPECT_EQ(environment_pairs(config), expected);
  config.set_value("raw_env", StringList{"broken"});
  EXPECT_THROW(environment_pairs(config), ConfigError);

  EXPECT_TRUE(python_path_entries(config).empty());
  config.set("pythonpath", "/a, /b,,");
  EXPECT_EQ(python_path_entries(config), (std::vector<std::string>{"/a", "/b"}));
}

}  // namespace
}  // namespace gf::config
