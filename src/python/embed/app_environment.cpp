#include "python/embed/app_environment.hpp"

#include <Python.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "config/derived_settings.hpp"
#include "python/embed/py_ref.hpp"
#include "python/embed/py_text.hpp"

namespace gf::python {

std::optional<std::string> non_empty(std::optional<std::string> text) {
  if (text && text->empty()) return std::nullopt;
  return text;
}

void app_environment::set_env_vars(const config::Config& cfg) {
  for (const auto& [key, value] : config::environment_pairs(cfg))
    ::setenv(key.c_str(), value.c_str(), 1);
}

// os.environ is a snapshot taken at start-up; assigning through it also calls putenv.
static void set_os_environ(const config::Config& cfg) {
  PyRef os = PyRef::steal(PyImport_ImportModule("os"));
  if (!os) return PyErr_Clear();
  PyRef environ = PyRef::steal(PyObject_GetAttrString(os.get(), "environ"));
  if (!environ) return PyErr_Clear();
  for (const auto& [name, text] : config::environment_pairs(cfg)) {
    PyRef key = PyRef::steal(PyUnicode_DecodeFSDefault(name.c_str()));
    PyRef value = PyRef::steal(PyUnicode_DecodeFSDefault(text.c_str()));
    if (!key || !value || PyObject_SetItem(environ.get(), key.get(), value.get()) < 0)
      PyErr_Clear();
  }
}

static void prepend_sys_path(const std::string& dir) {
  PyObject* sys_path = PySys_GetObject("path");  // borrowed
  if (sys_path == nullptr || !PyList_Check(sys_path)) return;
  PyRef entry = PyRef::steal(PyUnicode_DecodeFSDefault(dir.c_str()));
  if (!entry) return PyErr_Clear();
  int present = PySequence_Contains(sys_path, entry.get());
  if (present < 0) return PyErr_Clear();
  if (present == 0 && PyList_Insert(sys_path, 0, entry.get()) < 0) PyErr_Clear();
}

static std::string absolute(const std::string& path) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

static std::string current_dir() {
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec);
  return ec ? std::string(".") : cwd.string();
}

void app_environment::apply(const config::Config& cfg) {
  set_env_vars(cfg);
  set_os_environ(cfg);

  // Gunicorn's chdir defaults to the start-up directory, so the cwd always lands on sys.path.
  std::string dir = current_dir();
  if (auto chdir = non_empty(cfg.get(config::settings::chdir))) {
    if (::chdir(chdir->c_str()) != 0)
      throw config::ConfigError(
          fmt::format("--chdir: can't chdir to '{}': {}", *chdir, std::strerror(errno)));
    dir = absolute(*chdir);
  }
  prepend_sys_path(dir);

  // Each entry goes to the front in turn, as Gunicorn does (the last listed ends up first).
  for (const auto& path : config::python_path_entries(cfg)) prepend_sys_path(absolute(path));
}

}  // namespace gf::python
