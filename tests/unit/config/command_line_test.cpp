#include "config/command_line.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scoped_env.hpp"

namespace gf::config {
namespace {

using testing::ScopedEnv;

class CommandLineTest : public ::testing::Test {
 protected:
  static CommandLine run(std::vector<std::string> args) {
    args.insert(args.begin(), "greenfork");
    std::vector<const char*> argv;
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    return parse_command_line(static_cast<int>(argv.size()), argv.data());
  }

  static std::string error_of(std::vector<std::string> args) {
    try {
      run(std::move(args));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  }

  ScopedEnv no_cmd_args_{"GUNICORN_CMD_ARGS", nullptr};
  ScopedEnv no_port_{"PORT", nullptr};
  ScopedEnv no_concurrency_{"WEB_CONCURRENCY", nullptr};
};

TEST_F(CommandLineTest, AppModuleAndDefaults) {
  const CommandLine cli = run({"myapp.wsgi:application"});
  EXPECT_EQ(cli.config.app_uri, "myapp.wsgi:application");
  EXPECT_EQ(cli.config.get(config::settings::default_proc_name), "myapp.wsgi:application");
  EXPECT_EQ(cli.config.get(config::settings::workers), 1);
  EXPECT_FALSE(cli.show_help);
  EXPECT_TRUE(cli.warnings.empty());
}

TEST_F(CommandLineTest, AppModuleIsOptional) {
  const CommandLine cli = run({"-w", "2"});
  EXPECT_TRUE(cli.config.app_uri.empty());
  EXPECT_EQ(cli.config.get(config::settings::default_proc_name), "gunicorn");
}

TEST_F(CommandLineTest, FlagForms) {
  EXPECT_EQ(run({"-w", "4"}).config.get(config::settings::workers), 4);
  EXPECT_EQ(run({"-w4"}).config.get(config::settings::workers), 4);
  EXPECT_EQ(run({"-w=4"}).config.get(config::settings::workers), 4);
  EXPECT_EQ(run({"--workers", "4"}).config.get(config::settings::workers), 4);
  EXPECT_EQ(run({"--workers=4"}).config.get(config::settings::workers), 4);
  EXPECT_EQ(run({"--max-requests-j=4"}).config.get(config::settings::max_requests_jitter), 4);
  EXPECT_EQ(run({"--bin", "h:1"}).config.get(config::settings::bind), StringList{"h:1"})
      << "unique prefix";
  EXPECT_EQ(run({"app", "-w", "3"}).config.app_uri, "app");
  EXPECT_EQ(run({"-w", "3", "app"}).config.app_uri, "app");
}

TEST_F(CommandLineTest, LastValueWins) {
  EXPECT_EQ(run({"-w", "2", "--workers", "5"}).config.get(config::settings::workers), 5);
}

TEST_F(CommandLineTest, StoreTrueFlagsAndBundles) {
  const CommandLine cli = run({"--check-config", "--print-config", "-DR", "app"});
  EXPECT_TRUE(cli.config.get(config::settings::check_config));
  EXPECT_TRUE(cli.config.get(config::settings::print_config));
  EXPECT_TRUE(cli.config.get(config::settings::daemon));
  EXPECT_TRUE(cli.config.get(config::settings::enable_stdio_inheritance));
  EXPECT_EQ(cli.config.app_uri, "app");
  EXPECT_FALSE(cli.config.get(config::settings::reload));
}

TEST_F(CommandLineTest, NoSendfileStoresFalse) {
  EXPECT_EQ(run({"--no-sendfile"}).config.get("sendfile"), Value(false));
}

TEST_F(CommandLineTest, RepeatableFlagsAppend) {
  const CommandLine cli = run(
      {"-b", "127.0.0.1:8000", "--bind", "[::1]:8000", "-bunix:/tmp/s", "-e", "A=1", "--env=B=2"});
  EXPECT_EQ(cli.config.get(config::settings::bind),
            (StringList{"127.0.0.1:8000", "[::1]:8000", "unix:/tmp/s"}));
  EXPECT_EQ(cli.config.get(config::settings::raw_env), (StringList{"A=1", "B=2"}));
}

TEST_F(CommandLineTest, Aliases) {
  EXPECT_EQ(run({"--log-file", "/tmp/e.log"}).config.get(config::settings::errorlog), "/tmp/e.log");
  EXPECT_EQ(run({"--error-logfile", "/tmp/e.log"}).config.get(config::settings::errorlog),
            "/tmp/e.log");
  EXPECT_EQ(run({"--paster", "a.ini"}).config.get(config::settings::paste), "a.ini");
  EXPECT_EQ(run({"--limit-request-field_size", "100"})
                .config.get(config::settings::limit_request_field_size),
            100);
}

TEST_F(CommandLineTest, ProxyProtocolOptionalValue) {
  EXPECT_EQ(run({"--proxy-protocol"}).config.get(config::settings::proxy_protocol), "auto");
  EXPECT_EQ(run({"--proxy-protocol", "-w", "2"}).config.get(config::settings::proxy_protocol),
            "auto");
  EXPECT_EQ(run({"--proxy-protocol", "v1"}).config.get(config::settings::proxy_protocol), "v1");
  EXPECT_EQ(run({"--proxy-protocol=v2", "app"}).config.get(config::settings::proxy_protocol), "v2");
  // Like argparse nargs='?', a following positional is taken as the value.
  EXPECT_EQ(error_of({"--proxy-protocol", "app:app"}),
            "Error: --proxy-protocol: expected one of off, v1, v2, auto, got 'app:app'");
}

TEST_F(CommandLineTest, DashValuesAndDoubleDash) {
  EXPECT_EQ(run({"--access-logfile", "-"}).config.get(config::settings::accesslog), "-");
  EXPECT_EQ(run({"--", "-app"}).config.app_uri, "-app");
  EXPECT_EQ(error_of({"-w", "-1"}), "Error: -w: expected a positive integer, got '-1'");
}

TEST_F(CommandLineTest, ConfigFlagIsStored) {
  EXPECT_EQ(run({"-c", "conf.py"}).config.get(config::settings::config), "conf.py");
  EXPECT_EQ(run({}).config.get(config::settings::config), "./gunicorn.conf.py");
}

TEST_F(CommandLineTest, HelpAndVersionStopParsing) {
  EXPECT_TRUE(run({"--help"}).show_help);
  EXPECT_TRUE(run({"-h", "--no-such-flag"}).show_help);
  EXPECT_TRUE(run({"-v"}).show_version);
  EXPECT_TRUE(run({"--version"}).show_version);
}

TEST_F(CommandLineTest, ErrorMessages) {
  EXPECT_EQ(error_of({"--foo"}), "Error: unrecognized arguments: --foo");
  EXPECT_EQ(error_of({"app", "--foo", "-x"}), "Error: unrecognized arguments: --foo -x");
  EXPECT_EQ(error_of({"app", "-w", "2", "extra"}), "Error: unrecognized arguments: extra");
  EXPECT_EQ(error_of({"--workers"}), "Error: argument --workers: expected one argument");
  EXPECT_EQ(error_of({"-w", "--timeout", "3"}), "Error: argument -w: expected one argument");
  EXPECT_EQ(error_of({"--workers", "x"}), "Error: --workers: expected a positive integer, got 'x'");
  EXPECT_EQ(error_of({"--log-level=loud"}),
            "Error: --log-level: expected one of debug, info, warning, error, critical, got "
            "'loud'");
  EXPECT_EQ(error_of({"--check-config=yes"}),
            "Error: argument --check-config: ignored explicit argument 'yes'");
  EXPECT_EQ(error_of({"--wor", "2"}),
            "Error: ambiguous option: --wor could match --workers, --worker-class, "
            "--worker-connections, --worker-tmp-dir");
}

TEST_F(CommandLineTest, GunicornCmdArgsApplyBeforeTheCommandLine) {
  ScopedEnv env("GUNICORN_CMD_ARGS", "--workers 3 --timeout=60 --bind '0.0.0.0:9000' envapp");
  const CommandLine cli = run({"-w", "5", "cliapp"});
  EXPECT_EQ(cli.config.get(config::settings::workers), 5);   // CLI wins
  EXPECT_EQ(cli.config.get(config::settings::timeout), 60);  // only in GUNICORN_CMD_ARGS
  EXPECT_EQ(cli.config.get(config::settings::bind), StringList{"0.0.0.0:9000"});
  EXPECT_EQ(cli.config.app_uri, "cliapp");
  EXPECT_TRUE(cli.config.is_set_explicitly("timeout"));
}

TEST_F(CommandLineTest, GunicornCmdArgsRepeatableFlagIsReplacedNotMerged) {
  ScopedEnv env("GUNICORN_CMD_ARGS", "-b a:1 -b b:2");
  EXPECT_EQ(run({}).config.get(config::settings::bind), (StringList{"a:1", "b:2"}));
  EXPECT_EQ(run({"-b", "c:3"}).config.get(config::settings::bind), StringList{"c:3"});
}

TEST_F(CommandLineTest, GunicornCmdArgsMayNameTheApp) {
  ScopedEnv env("GUNICORN_CMD_ARGS", "envapp:app");
  EXPECT_EQ(run({}).config.app_uri, "envapp:app");
}

TEST_F(CommandLineTest, GunicornCmdArgsErrorsSayWhere) {
  {
    ScopedEnv env("GUNICORN_CMD_ARGS", "--workers 'x");
    EXPECT_EQ(error_of({}), "Error: GUNICORN_CMD_ARGS: No closing quotation");
  }
  ScopedEnv env("GUNICORN_CMD_ARGS", "--bogus");
  EXPECT_EQ(error_of({}), "Error: unrecognized arguments: --bogus (in GUNICORN_CMD_ARGS)");
}

TEST_F(CommandLineTest, EnvDefaultsLoseToFlags) {
  ScopedEnv port("PORT", "7000");
  EXPECT_EQ(run({}).config.get(config::settings::bind), StringList{"0.0.0.0:7000"});
  EXPECT_EQ(run({"-b", ":1"}).config.get(config::settings::bind), StringList{":1"});
}

TEST_F(CommandLineTest, ConfigFileSeamRunsBetweenDefaultsAndArguments) {
  ScopedEnv env("GUNICORN_CMD_ARGS", "--timeout 10");
  std::vector<std::string> args = {"greenfork", "-c", "my.conf.py", "-w", "6"};
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::string seen_path;
  bool seen_explicit = false;
  int64_t seen_cli_workers = 0;
  int64_t seen_cli_timeout = 0;
  const CommandLine cli = parse_command_line(
      static_cast<int>(argv.size()), argv.data(),
      [&](Config& config, const Config& command_line, const std::string& path,
          bool explicitly_given) {
        seen_path = path;
        seen_explicit = explicitly_given;
        seen_cli_workers = command_line.get(config::settings::workers);
        seen_cli_timeout = command_line.get(config::settings::timeout);
        apply_raw_settings(config, {{"workers", "2"}, {"timeout", "99"}, {"keepalive", "7"}});
      });
  EXPECT_EQ(seen_path, "my.conf.py");
  EXPECT_TRUE(seen_explicit);
  EXPECT_EQ(seen_cli_workers, 6);  // the loader sees what the command line will impose...
  EXPECT_EQ(seen_cli_timeout, 10);
  EXPECT_EQ(cli.config.get(config::settings::workers), 6);    // ...and the CLI beats the file
  EXPECT_EQ(cli.config.get(config::settings::timeout), 10);   // GUNICORN_CMD_ARGS beats the file
  EXPECT_EQ(cli.config.get(config::settings::keepalive), 7);  // the file beats defaults
}

TEST_F(CommandLineTest, ApplyRawSettingsSkipsUnknownNames) {
  Config config;
  const auto skipped = apply_raw_settings(config, {{"workers", "3"}, {"app", "x"}});
  EXPECT_EQ(skipped, std::vector<std::string>{"app"});
  EXPECT_EQ(config.get(config::settings::workers), 3);
  EXPECT_THROW(apply_raw_settings(config, {{"workers", "many"}}), ConfigError);
}

TEST_F(CommandLineTest, ExtraPositionalsWarn) {
  const CommandLine cli = run({"a", "b"});
  EXPECT_EQ(cli.config.app_uri, "a");
  ASSERT_EQ(cli.warnings.size(), 1u);
  EXPECT_NE(cli.warnings[0].find("'b'"), std::string::npos);
}

TEST_F(CommandLineTest, ConfigFileSeamGetsTheDefaultPathWhenNoneIsGiven) {
  std::vector<const char*> argv = {"greenfork", "app"};
  std::string seen_path;
  bool seen_explicit = true;
  parse_command_line(static_cast<int>(argv.size()), argv.data(),
                     [&](Config&, const Config&, const std::string& path, bool explicitly_given) {
                       seen_path = path;
                       seen_explicit = explicitly_given;
                     });
  EXPECT_EQ(seen_path, "./gunicorn.conf.py");
  EXPECT_FALSE(seen_explicit);
}

TEST_F(CommandLineTest, ConfigFileFromEnvArgsIsUsedOnlyWithoutOneOnTheCommandLine) {
  ScopedEnv env("GUNICORN_CMD_ARGS", "-c env.conf.py");
  auto seen = [](std::vector<const char*> argv) {
    std::string path;
    parse_command_line(static_cast<int>(argv.size()), argv.data(),
                       [&](Config&, const Config&, const std::string& p, bool) { path = p; });
    return path;
  };
  EXPECT_EQ(seen({"greenfork", "app"}), "env.conf.py");
  EXPECT_EQ(seen({"greenfork", "-c", "cli.conf.py", "app"}), "cli.conf.py");
}

TEST_F(CommandLineTest, WsgiAppFromTheFileIsTheAppWithoutAPositional) {
  std::vector<const char*> argv = {"greenfork"};
  const CommandLine cli = parse_command_line(
      1, argv.data(), [](Config& config, const Config&, const std::string&, bool) {
        config.set("wsgi_app", "fromfile:app");
      });
  EXPECT_EQ(cli.config.app_uri, "fromfile:app");
}

}  // namespace
}  // namespace gf::config
