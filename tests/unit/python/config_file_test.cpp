// Config files: Python values -> settings (setting_from_python), applying a namespace, and
// reading files and modules with Gunicorn's error messages.
#include "python/configuration/config_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/settings_table.hpp"
#include "config/value_parser.hpp"
#include "python/configuration/config_objects.hpp"
#include "python/configuration/setting_from_python.hpp"
#include "python_test_support.hpp"

namespace gf::python {
namespace {

using config::Config;
using config::ConfigError;
using config::StringList;
using config::StringMap;
using config::Value;
using testing::ModuleDir;

PyRef eval(const std::string& expression) {
  PyObject* globals = PyModule_GetDict(PyImport_AddModule("__main__"));
  PyRef result = PyRef::steal(PyRun_String(expression.c_str(), Py_eval_input, globals, globals));
  if (!result) PyErr_Print();
  return result;
}

Value convert(const std::string& setting, const std::string& expression) {
  PyRef object = eval(expression);
  EXPECT_TRUE(object) << expression;
  return setting_from_python(*config::find_setting(setting), object.get()).value;
}

std::string refusal(const std::string& setting, const std::string& expression) {
  PyRef object = eval(expression);
  try {
    setting_from_python(*config::find_setting(setting), object.get());
  } catch (const config::InvalidValue& e) {
    return e.what();
  }
  return "accepted";
}

// Applies `source` run as a module body to a fresh Config.
Config apply_source(const std::string& source) {
  PyRef names = PyRef::steal(PyDict_New());
  PyDict_SetItemString(names.get(), "__builtins__", PyEval_GetBuiltins());
  PyRef done = PyRef::steal(PyRun_String(source.c_str(), Py_file_input, names.get(), names.get()));
  if (!done) PyErr_Print();
  Config config;
  ConfigFile::apply(config, names.get());
  return config;
}

std::string apply_error(const std::string& source) {
  try {
    apply_source(source);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(SettingFromPython, ScalarsFollowGunicornsValidators) {
  EXPECT_EQ(convert("workers", "4"), Value(int64_t{4}));
  EXPECT_EQ(convert("workers", "'0x10'"), Value(int64_t{16}));  // int(x, 0)
  EXPECT_EQ(convert("workers", "True"), Value(int64_t{1}));     // bools are ints
  EXPECT_EQ(convert("umask", "'0022'"), Value(int64_t{18}));
  EXPECT_EQ(convert("preload_app", "True"), Value(true));
  EXPECT_EQ(convert("preload_app", "'FALSE'"), Value(false));
  EXPECT_EQ(convert("accesslog", "'-'"), Value(std::string("-")));
  EXPECT_EQ(convert("accesslog", "None"), Value(std::monostate{}));
  EXPECT_EQ(convert("loglevel", "'DEBUG'"), Value(std::string("debug")));
}

TEST(SettingFromPython, ListsAndMaps) {
  EXPECT_EQ(convert("bind", "'127.0.0.1:1'"), Value(StringList{"127.0.0.1:1"}));
  EXPECT_EQ(convert("bind", "['a:1', 'b:2']"), Value(StringList{"a:1", "b:2"}));
  EXPECT_EQ(convert("raw_env", "('A=1',)"), Value(StringList{"A=1"}));
  EXPECT_EQ(convert("raw_env", "None"), Value(StringList{}));
  EXPECT_EQ(convert("forwarded_allow_ips", "'10.0.0.1, *'"), Value(StringList{"10.0.0.1", "*"}));
  EXPECT_EQ(convert("forwarded_allow_ips", "['10.0.0.0/8']"), Value(StringList{"10.0.0.0/8"}));
  EXPECT_EQ(convert("secure_scheme_headers", "{'X-A': 'on', 'X-B': 'https'}"),
            Value(StringMap{{"X-A", "on"}, {"X-B", "https"}}));
  EXPECT_EQ(convert("logconfig_dict", "{'version': 1}"), Value(std::string("{'version': 1}")));
}

TEST(SettingFromPython, WrongShapesAreRefused) {
  EXPECT_EQ(refusal("workers", "'many'"), "expected a positive integer");
  EXPECT_EQ(refusal("workers", "-1"), "expected a positive integer");
  EXPECT_EQ(refusal("workers", "2.5"), "expected a positive integer");
  EXPECT_EQ(refusal("workers", "2**70"), "expected a positive integer");
  EXPECT_EQ(refusal("preload_app", "1"), "expected true or false");
  EXPECT_EQ(refusal("accesslog", "3"), "expected a string");
  EXPECT_EQ(refusal("accesslog", "b'-'"), "expected a string");
  EXPECT_EQ(refusal("bind", "[8000]"), "expected a list of strings");
  EXPECT_EQ(refusal("bind", "{'a': 'b'}"), "expected a list of strings");
  EXPECT_EQ(refusal("secure_scheme_headers", "{'X-A': 1}"), "expected a dictionary of strings");
  EXPECT_EQ(refusal("secure_scheme_headers", "'X-A'"), "expected a dictionary of strings");
  EXPECT_EQ(refusal("logconfig_dict", "'{}'"), "expected a dictionary");
  EXPECT_EQ(refusal("forwarded_allow_ips", "'not-an-ip'").rfind("expected comma-separated", 0), 0u);
}

TEST(SettingFromPython, HooksAreCallablesWithTheRightArity) {
  testing::run_python(
      "def hook2(server, worker): pass\n"
      "def hook1(server): pass\n"
      "def hook_defaults(a, b, c=None, *rest, key=None): pass\n"
      "class Hooks:\n"
      "    def post_fork(self, server, worker): pass\n"
      "hooks = Hooks()\n");
  const auto post_fork = *config::find_setting("post_fork");
  PyRef hook2 = eval("hook2");
  SettingFromPython converted = setting_from_python(post_fork, hook2.get());
  EXPECT_EQ(converted.value, Value(std::string("__main__.hook2")));
  EXPECT_TRUE(converted.keep_object);
  EXPECT_EQ(convert("post_fork", "lambda s, w: None"), Value(std::string("__main__.<lambda>")));
  EXPECT_EQ(convert("post_fork", "hooks.post_fork"),
            Value(std::string("__main__.Hooks.post_fork")));  // bound: self is not counted
  EXPECT_EQ(refusal("post_fork", "hook1"),
            "expected a callable with 2 positional parameters, got 1");
  EXPECT_EQ(refusal("on_starting", "hook2"),
            "expected a callable with 1 positional parameter, got 2");
  EXPECT_EQ(refusal("post_fork", "hook_defaults"),
            "expected a callable with 2 positional parameters, got 3");
  EXPECT_EQ(convert("post_request", "hook2"), Value(std::string("__main__.hook2")));
  EXPECT_EQ(convert("post_request", "hook_defaults"), Value(std::string("__main__.hook_defaults")));
  EXPECT_EQ(refusal("post_request", "hook1"),
            "expected a callable with 2 to 4 positional parameters, got 1");
  EXPECT_EQ(refusal("post_fork", "3"), "expected a callable or a 'module.function' import string");
  // The import-string form of Gunicorn stays a string.
  EXPECT_EQ(convert("post_fork", "'mymodule.post_fork'"), Value(std::string("mymodule.post_fork")));
  EXPECT_EQ(convert("post_fork", "None"), Value(std::monostate{}));
}

TEST(SettingFromPython, WorkerClassMayBeAClass) {
  testing::run_python("class MyWorker: pass\n");
  EXPECT_EQ(convert("worker_class", "MyWorker"), Value(std::string("__main__.MyWorker")));
  EXPECT_EQ(convert("worker_class", "'sync'"), Value(std::string("sync")));
}

TEST(ConfigFileApply, SettingNamesAreAppliedOthersIgnored) {
  const Config config = apply_source(
      "import os\n"
      "workers = 3\n"
      "bind = '0.0.0.0:9000'\n"
      "Workers = 'not a setting: names are case-sensitive'\n"
      "unrelated = object()\n"
      "def helper(): pass\n");
  EXPECT_EQ(config.get(config::settings::workers), 3);
  EXPECT_EQ(config.get(config::settings::bind), StringList{"0.0.0.0:9000"});
  EXPECT_TRUE(config.is_set_explicitly("workers"));
  EXPECT_FALSE(config.is_set_explicitly("timeout"));
}

TEST(ConfigFileApply, InvalidValueNamesSettingAndValue) {
  EXPECT_EQ(apply_error("workers = 'x'\n"),
            "Invalid value for workers: x (expected a positive integer)");
  EXPECT_EQ(apply_error("bind = [1, 2]\n"),
            "Invalid value for bind: [1, 2] (expected a list of strings)");
  const std::string hook_error = apply_error("def post_fork(server): pass\n");
  EXPECT_EQ(hook_error.rfind("Invalid value for post_fork: <function post_fork at ", 0), 0u)
      << hook_error;
}

TEST(ConfigFileApply, HookObjectsAreKeptWhileTheirValueStands) {
  ConfigObjects::clear();
  Config config = apply_source("def post_fork(server, worker): return 'called'\n");
  EXPECT_EQ(config.get(config::settings::post_fork),
            "__config__.post_fork");  // no __module__: the fallback
  PyObject* hook = ConfigObjects::find(config, "post_fork");
  ASSERT_NE(hook, nullptr);
  PyRef result = PyRef::steal(PyObject_CallFunction(hook, "OO", Py_None, Py_None));
  ASSERT_TRUE(result);
  EXPECT_STREQ(PyUnicode_AsUTF8(result.get()), "called");
  EXPECT_EQ(ConfigObjects::find(config, "pre_fork"), nullptr);
  config.set("post_fork", "other.hook");  // overridden: the kept object no longer applies
  EXPECT_EQ(ConfigObjects::find(config, "post_fork"), nullptr);
}

class ConfigFileLoad : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& source) {
    const std::string path = ModuleDir::get().path() + "/" + name;
    std::ofstream(path) << source;
    return path;
  }
  std::string load_error(const std::string& location) {
    Config config;
    try {
      ConfigFile::load(config, Config(), location, true);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST_F(ConfigFileLoad, FileAndModuleForms) {
  const std::string path = write("cf_unit_conf.py", "workers = 7\ntimeout = 3\n");
  for (const std::string& location : {path, "file:" + path}) {
    Config config;
    ConfigFile::load(config, Config(), location, true);
    EXPECT_EQ(config.get(config::settings::workers), 7) << location;
    EXPECT_EQ(config.get(config::settings::timeout), 3) << location;
  }
  ModuleDir::get().write("cf_unit_module.py", "keepalive = 8\n");
  Config config;
  ConfigFile::load(config, Config(), "python:cf_unit_module", true);
  EXPECT_EQ(config.get(config::settings::keepalive), 8);
}

TEST_F(ConfigFileLoad, ModuleLevelCodeSeesFileAndName) {
  const std::string path = write("cf_unit_file.py",
                                 "import os\n"
                                 "proc_name = __name__ + ':' + os.path.basename(__file__)\n");
  Config config;
  ConfigFile::load(config, Config(), path, true);
  EXPECT_EQ(config.get(config::settings::proc_name), "__config__:cf_unit_file.py");
}

TEST_F(ConfigFileLoad, Errors) {
  const std::string broken = write("cf_unit_broken.py", "x = 1\nraise RuntimeError('boom')\n");
  const std::string error = load_error(broken);
  EXPECT_EQ(error.rfind("Failed to read config file: " + broken + "\nTraceback", 0), 0u) << error;
  EXPECT_NE(error.find("RuntimeError: boom"), std::string::npos) << error;
  EXPECT_NE(error.find("line 2"), std::string::npos) << error;

  EXPECT_EQ(load_error("/nonexistent/cf.py"), "Error: '/nonexistent/cf.py' doesn't exist");
  EXPECT_EQ(load_error("python:cf_unit_no_such_module")
                .rfind("Failed to read config file: python:cf_unit_no_such_module\n", 0),
            0u);
  const std::string bad = write("cf_unit_bad.py", "graceful_timeout = 'soon'\n");
  EXPECT_EQ(load_error(bad),
            "Invalid value for graceful_timeout: soon (expected a positive integer)");
  // Python already runs when the file is read, and workers inherit it.
  const std::string venv = write("cf_unit_venv.py", "virtualenv = '/srv/venv'\n");
  EXPECT_EQ(load_error(venv).rfind("Error: virtualenv cannot be set in a config file", 0), 0u);
}

TEST_F(ConfigFileLoad, NoDefaultFileIsQuiet) {
  // The implicit lookup finds nothing in a directory without a config file.
  const std::string empty_dir = ModuleDir::get().path() + "/cf_unit_empty";
  std::filesystem::create_directories(empty_dir);
  Config command_line;
  command_line.set("chdir", empty_dir);
  const std::string startup = std::filesystem::current_path().string();
  std::filesystem::current_path(empty_dir);
  Config config;
  EXPECT_NO_THROW(ConfigFile::load(config, command_line, "./gunicorn.conf.py", false));
  EXPECT_FALSE(config.is_set_explicitly("workers"));
  std::filesystem::current_path(startup);
}

TEST_F(ConfigFileLoad, DefaultLookupPrefersGreenforkConfInTheChdirDirectory) {
  const std::string dir = ModuleDir::get().path() + "/cf_unit_site";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/gunicorn.conf.py") << "workers = 2\n";
  Config command_line;
  command_line.set("chdir", dir);
  const std::string startup = std::filesystem::current_path().string();
  {
    Config config;
    ConfigFile::load(config, command_line, "./gunicorn.conf.py", false);
    EXPECT_EQ(config.get(config::settings::workers), 2);
  }
  std::ofstream(dir + "/greenfork.conf.py") << "workers = 3\n";
  {
    Config config;
    ConfigFile::load(config, command_line, "./gunicorn.conf.py", false);
    EXPECT_EQ(config.get(config::settings::workers), 3);
  }
  std::filesystem::current_path(startup);  // loading chdirs into --chdir, as the master does
}

}  // namespace
}  // namespace gf::python
