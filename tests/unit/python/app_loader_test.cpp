// App spec parsing and loading: every form Gunicorn accepts and each of its error messages.
#include <gtest/gtest.h>

#include <cstdlib>

#include "python/app/app_spec.hpp"
#include "python/embed/virtualenv.hpp"
#include "python_test_support.hpp"

namespace gf::python {
namespace {

using testing::define_app;
using testing::load_app;
using testing::ModuleDir;
using testing::py;

std::string load_error(const std::string& uri) {
  try {
    load_app(uri);
  } catch (const AppLoadError& e) {
    return e.what();
  }
  return "<loaded>";
}

// Calls the loaded app object (a plain function returning its marker) to identify it.
std::string marker_of(const WsgiApp& app) {
  PyRef result = PyRef::steal(PyObject_CallFunction(app.callable(), "OO", Py_None, Py_None));
  if (!result) {
    PyErr_Clear();
    return "<call failed>";
  }
  PyRef text = PyRef::steal(PyObject_Str(result.get()));
  return PyUnicode_AsUTF8(text.get());
}

TEST(AppSpec, SplitsModuleAndObject) {
  EXPECT_EQ(AppSpec::parse("pkg.mod").module, "pkg.mod");
  EXPECT_EQ(AppSpec::parse("pkg.mod").object, "application");
  EXPECT_EQ(AppSpec::parse("pkg.mod:app").object, "app");
  EXPECT_EQ(AppSpec::parse("m:create(1, key='a:b')").object, "create(1, key='a:b')");
}

TEST(Virtualenv, ParsesEveryPyvenvFlavour) {
  using V = std::pair<int, int>;
  EXPECT_EQ(Virtualenv::parse_version("home = /usr/bin\nversion = 3.11.2\n"), V(3, 11));
  EXPECT_EQ(Virtualenv::parse_version("version_info = 3.12.1.final.0\nvirtualenv = 20.25\n"),
            V(3, 12));
  EXPECT_EQ(Virtualenv::parse_version("version = 20.1\nversion_info = 3.9.18\n"), V(3, 9));
  EXPECT_FALSE(Virtualenv::parse_version("home = /usr/bin\n").has_value());
}

TEST(Virtualenv, RejectsAnotherPythonVersion) {
  ModuleDir::get().write("py_unit_venv38/pyvenv.cfg", "home = /opt/py\nversion = 3.8.10\n");
  std::string dir = ModuleDir::get().path() + "/py_unit_venv38";
  try {
    Virtualenv::open(dir, 3, 11);
    FAIL() << "accepted a 3.8 virtualenv";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "virtualenv " + dir +
                                         " was made with Python 3.8, but greenfork embeds "
                                         "Python 3.11");
  }
  ModuleDir::get().write("py_unit_venv311/pyvenv.cfg", "version_info = 3.11.2.final.0\n");
  EXPECT_NO_THROW(Virtualenv::open(ModuleDir::get().path() + "/py_unit_venv311", 3, 11));
}

TEST(AppLoader, ModuleAloneUsesApplication) {
  ModuleDir::get().write("py_unit_load_default.py",
                         "def application(environ, start_response):\n    return 'default'\n");
  EXPECT_EQ(marker_of(load_app("py_unit_load_default")), "default");
}

TEST(AppLoader, NamedAttributeAndDottedPath) {
  ModuleDir::get().write("py_unit_load_named.py",
                         "def app(e, s):\n    return 'named'\n"
                         "class Holder:\n    @staticmethod\n    def wsgi(e, s):\n"
                         "        return 'dotted'\n"
                         "holder = Holder()\n");
  EXPECT_EQ(marker_of(load_app("py_unit_load_named:app")), "named");
  EXPECT_EQ(marker_of(load_app("py_unit_load_named:holder.wsgi")), "dotted");
}

TEST(AppLoader, FactoryCallsWithLiteralArguments) {
  ModuleDir::get().write("py_unit_load_factory.py",
                         "def create_app(*args, **kwargs):\n"
                         "    def app(e, s):\n"
                         "        return repr((args, kwargs))\n"
                         "    return app\n"
                         "def broken():\n    raise TypeError('inside the factory')\n"
                         "def nothing():\n    return None\n");
  EXPECT_EQ(marker_of(load_app("py_unit_load_factory:create_app()")), "((), {})");
  EXPECT_EQ(marker_of(load_app("py_unit_load_factory:create_app(1, key=\"x\")")),
            "((1,), {'key': 'x'})");
  EXPECT_EQ(marker_of(load_app("py_unit_load_factory:create_app([1, 2], a={'b': None})")),
            "(([1, 2],), {'a': {'b': None}})");
  EXPECT_EQ(load_error("py_unit_load_factory:nothing()"),
            "Failed to find application object: 'nothing()'");
  // TypeError raised inside the factory is the app's bug: a boot error with the traceback.
  EXPECT_THROW(load_app("py_unit_load_factory:broken()"), AppBootError);
  // TypeError from binding the arguments: Python's own message, no traceback.
  EXPECT_EQ(load_error("py_unit_load_factory:nothing(1)"),
            "TypeError: nothing() takes 0 positional arguments but 1 was given");
}

TEST(AppLoader, GunicornErrorMessages) {
  ModuleDir::get().write("py_unit_load_errors.py",
                         "app = None\nnumber = 42\n"
                         "def factory(x):\n    return x\n");
  EXPECT_EQ(load_error("py_unit_load_errors:missing"),
            "Failed to find attribute 'missing' in 'py_unit_load_errors'.");
  EXPECT_EQ(load_error("py_unit_load_errors:number"), "Application object must be callable.");
  EXPECT_EQ(load_error("py_unit_load_errors:app"), "Failed to find application object: 'app'");
  EXPECT_EQ(load_error("py_unit_load_errors:a.b()"),
            "Function reference must be a simple name: 'a.b()'");
  EXPECT_EQ(load_error("py_unit_load_errors:factory(x)"),
            "Failed to parse arguments as literal values: 'factory(x)'");
  EXPECT_EQ(load_error("py_unit_load_errors:1 +"),
            "Failed to parse '1 +' as an attribute name or function call.");
  EXPECT_EQ(load_error("py_unit_load_errors:[app]"),
            "Failed to parse '[app]' as an attribute name or function call.");
  EXPECT_EQ(load_error("py_unit_no_such_module"), "No module named 'py_unit_no_such_module'");
  EXPECT_EQ(load_error("py_unit_no_such_pkg.wsgi"), "No module named 'py_unit_no_such_pkg'");
}

TEST(AppLoader, MissingAppModuleIsALoadErrorNotABootError) {
  // The issue asks for exit 4 ("App failed to load") when the named module does not exist.
  try {
    load_app("py_unit_no_such_module");
    FAIL() << "expected AppLoadError";
  } catch (const AppBootError&) {
    FAIL() << "a missing app module must not be a boot error";
  } catch (const AppLoadError&) {
  }
}

TEST(AppLoader, ImportErrorInsideTheAppIsABootError) {
  ModuleDir::get().write("py_unit_load_broken.py", "import py_unit_not_installed\n");
  EXPECT_EQ(load_error("py_unit_load_broken:app"), "No module named 'py_unit_not_installed'");
  EXPECT_THROW(load_app("py_unit_load_broken:app"), AppBootError);
  ModuleDir::get().write("py_unit_load_syntax.py", "def app(:\n");
  // str(exc), as Gunicorn prints it: "invalid syntax (py_unit_load_syntax.py, line 1)"
  EXPECT_NE(load_error("py_unit_load_syntax:app").find("py_unit_load_syntax.py, line 1"),
            std::string::npos);
}

TEST(AppLoader, PyFileHint) {
  ModuleDir::get().write("py_unit_hint.py", "app = None\n");
  char cwd[4096];
  ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
  ASSERT_EQ(::chdir(ModuleDir::get().path().c_str()), 0);
  std::string error = load_error("py_unit_hint.py");
  std::string error_obj = load_error("py_unit_hint.py:api");
  ASSERT_EQ(::chdir(cwd), 0);
  EXPECT_EQ(error, "Failed to find application, did you mean 'py_unit_hint:application'?");
  EXPECT_EQ(error_obj, "Failed to find application, did you mean 'py_unit_hint:api'?");
}

TEST(AppLoader, EnvAndPythonpathSettings) {
  ModuleDir::get().write("py_unit_extra_path/py_unit_on_pythonpath.py",
                         "import os\n"
                         "def app(e, s):\n    return os.environ.get('PY_UNIT_FLAVOUR')\n");
  config::Config cfg;
  cfg.set("pythonpath", ModuleDir::get().path() + "/py_unit_extra_path");
  cfg.set("raw_env", "PY_UNIT_FLAVOUR=vanilla");
  cfg.app_uri = "py_unit_on_pythonpath:app";
  WsgiApp app = WsgiApp::load(cfg);
  EXPECT_EQ(marker_of(app), "vanilla");
  EXPECT_STREQ(std::getenv("PY_UNIT_FLAVOUR"), "vanilla");
  EXPECT_EQ(py("__import__('sys').path[0]"), ModuleDir::get().path() + "/py_unit_extra_path");
}

TEST(AppLoader, DjangoProjectWsgiModule) {
  if (py("__import__('importlib.util').util.find_spec('django') is not None") != "True")
    GTEST_SKIP() << "Django is not installed";
  ModuleDir::get().write("py_unit_mysite/__init__.py", "");
  ModuleDir::get().write("py_unit_mysite/settings.py",
                         "SECRET_KEY = 'x'\nDEBUG = False\nALLOWED_HOSTS = ['*']\n"
                         "ROOT_URLCONF = 'py_unit_mysite.urls'\nINSTALLED_APPS = []\n"
                         "MIDDLEWARE = []\n");
  ModuleDir::get().write("py_unit_mysite/urls.py",
                         "from django.http import HttpResponse\nfrom django.urls import path\n"
                         "urlpatterns = [path('', lambda r: HttpResponse('django ok'))]\n");
  ModuleDir::get().write("py_unit_mysite/wsgi.py",
                         "import os\n"
                         "os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
                         "'py_unit_mysite.settings')\n"
                         "from django.core.wsgi import get_wsgi_application\n"
                         "application = get_wsgi_application()\n");
  WsgiApp app = load_app("py_unit_mysite.wsgi");
  EXPECT_TRUE(PyCallable_Check(app.callable()));
  EXPECT_EQ(py("__import__('os').environ['DJANGO_SETTINGS_MODULE']"), "py_unit_mysite.settings");
}

}  // namespace
}  // namespace gf::python
