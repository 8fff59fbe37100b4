#include "python/configuration/config_file.hpp"
#include "python/embed/interpreter.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "config/settings_table.hpp"
#include "config/value_parser.hpp"
#include "python/configuration/config_objects.hpp"
#include "python/configuration/setting_from_python.hpp"
#include "python/embed/py_exception.hpp"
#include "python/embed/py_ref.hpp"
#include "python/embed/py_text.hpp"
#include "util/python_repr.hpp"

namespace gf::python {
namespace {

namespace fs = std::filesystem;

// importlib does the work, so a config file behaves exactly as under `python3 -c 'import ...'`:
// __file__, relative imports of sibling modules via sys.path, tracebacks with real line numbers.
// The module is registered as `__config__` (the name Gunicorn's config files see), so functions
// defined in it have that __module__.
constexpr const char* kLoaderSource = R"PY(
import importlib, importlib.machinery, importlib.util, os.path, sys

def load_file(path):
    name = "__config__"
    if os.path.splitext(path)[1] in (".py", ".pyc"):
        spec = importlib.util.spec_from_file_location(name, path)
    else:
        # Any other extension is read as Python source too (after a warning).
        loader = importlib.machinery.SourceFileLoader(name, path)
        spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return vars(module)

def load_module(name):
    return vars(importlib.import_module(name))
)PY";

struct Location {
  bool is_module = false;
  std::string target;  // the module name, or the file's path as it will be opened
  std::string shown;   // what the messages call it
};

std::string current_dir() {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  return ec ? std::string(".") : cwd.string();
}

bool is_file(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

// The implicit lookup. Gunicorn looks only in the directory it was started from; greenfork looks
// in the --chdir directory first (where the app and its config usually live), and prefers its
// own greenfork.conf.py so a deployment can hold both during a migration.
std::optional<Location> find_default_file(const config::Config& command_line) {
  std::vector<fs::path> dirs = {fs::path(command_line.get(config::settings::chdir))};
  const fs::path startup = current_dir();
  if (fs::path(dirs.front()).lexically_normal() != startup.lexically_normal())
    dirs.push_back(startup);
  for (const fs::path& dir : dirs) {
    for (const char* name : {"greenfork.conf.py", "gunicorn.conf.py"}) {
      const fs::path candidate = (dir / name).lexically_normal();
      if (is_file(candidate)) return Location{false, candidate.string(), candidate.string()};
    }
  }
  return std::nullopt;
}

// -c is relative to the directory greenfork was started from, like any path on a command line
// (and as in Gunicorn), even though --chdir is applied before the file runs.
Location explicit_location(const std::string& location) {
  constexpr std::string_view kModule = "python:";
  constexpr std::string_view kFile = "file:";
  if (location.starts_with(kModule)) {
    std::string module = location.substr(kModule.size());
    return Location{true, module, location};
  }
  std::string path = location.starts_with(kFile) ? location.substr(kFile.size()) : location;
  if (!is_file(path))
    throw config::ConfigError(fmt::format("Error: {} doesn't exist", util::python_repr_utf8(path)));
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  return Location{false, ec ? path : absolute.lexically_normal().string(), path};
}

void warn_about_extension(const Location& where) {
  const std::string extension = fs::path(where.target).extension().string();
  if (extension == ".py" || extension == ".pyc") return;
  // Gunicorn's warning block, so log scrapers and habits carry over.
  std::fprintf(stderr,
               "!!!\n!!! WARNING: configuration file should have a valid Python extension.\n"
               "!!!\n\n");
  std::fflush(stderr);
}

// Runs the file or imports the module; returns its namespace (a dict).
PyRef run(const Location& where) {
  PyRef globals = PyRef::steal(PyDict_New());
  if (!globals || PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins()) < 0)
    throw config::ConfigError("Failed to read config file: " + where.shown);
  // Named so that tracebacks say where their first frame comes from.
  PyRef code =
      PyRef::steal(Py_CompileString(kLoaderSource, "<greenfork config loader>", Py_file_input));
  PyRef done =
      code ? PyRef::steal(PyEval_EvalCode(code.get(), globals.get(), globals.get())) : PyRef();
  PyObject* function =
      done ? PyDict_GetItemString(globals.get(), where.is_module ? "load_module" : "load_file")
           : nullptr;  // borrowed
  PyRef names;
  if (function != nullptr) {
    PyRef argument = PyRef::steal(PyUnicode_DecodeFSDefault(where.target.c_str()));
    if (argument) names = PyRef::steal(PyObject_CallOneArg(function, argument.get()));
  }
  if (names && PyDict_Check(names.get())) return names;
  std::string traceback;
  if (PyErr_Occurred()) traceback = PyException::fetch().traceback();
  throw config::ConfigError(fmt::format("Failed to read config file: {}{}{}", where.shown,
                                        traceback.empty() ? "" : "\n", traceback));
}

}  // namespace

void ConfigFile::load(config::Config& config, const config::Config& command_line,
                      const std::string& location, bool explicitly_given) {
  std::optional<Location> where;
  if (explicitly_given) {
    where = explicit_location(location);
  } else {
    where = find_default_file(command_line);
  }
  if (!where) return;
  if (!where->is_module) warn_about_extension(*where);

  // The file may import the app's modules or anything from the virtualenv: start Python as
  // the workers will, in the --chdir directory with --pythonpath on sys.path.
  Interpreter::initialize(command_line);
  ConfigObjects::clear();
  PyRef names = run(*where);
  apply(config, names.get());

  // Workers inherit this interpreter, so a virtualenv named only inside the file would
  // silently not be used: it has to be known before Python starts.
  constexpr auto kVirtualenv = config::settings::virtualenv;
  if (config.is_set_explicitly(kVirtualenv) && !command_line.is_set_explicitly(kVirtualenv) &&
      config.get(kVirtualenv) != command_line.get(kVirtualenv)) {
    throw config::ConfigError(
        "Error: virtualenv cannot be set in a config file (Python is already running when the "
        "file is read); use --virtualenv or VIRTUAL_ENV");
  }
}

void ConfigFile::apply(config::Config& config, PyObject* names) {
  Py_ssize_t pos = 0;
  PyObject *key = nullptr, *object = nullptr;
  while (PyDict_Next(names, &pos, &key, &object)) {
    if (!PyUnicode_Check(key)) continue;
    const char* name = PyUnicode_AsUTF8(key);
    if (name == nullptr) {
      PyErr_Clear();
      continue;
    }
    const config::SettingSpec* spec = config::find_setting(name);
    if (spec == nullptr) continue;  // helpers, imports, constants: Gunicorn ignores them too
    try {
      SettingFromPython converted = setting_from_python(*spec, object);
      config.set_value(spec->name, converted.value);
      if (converted.keep_object) ConfigObjects::keep(spec->name, config.get(spec->name), object);
    } catch (const config::InvalidValue& e) {
      // Gunicorn prints the value with %s: str(), not repr().
      throw config::ConfigError(
          fmt::format("Invalid value for {}: {} ({})", spec->name, to_utf8(object), e.what()));
    }
  }
}

}  // namespace gf::python
