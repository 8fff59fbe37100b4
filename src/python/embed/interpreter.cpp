// Interpreter: one embedded CPython per process, configured like /usr/bin/python3 started in
// the app's directory (or like the virtualenv's python), with signals left to the C++ side.
#include <Python.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "log/error_log.hpp"
#include "python/embed/app_environment.hpp"
#include "python/embed/interpreter.hpp"
#include "python/embed/virtualenv.hpp"

#ifndef GREENFORK_PYTHON_EXECUTABLE
#define GREENFORK_PYTHON_EXECUTABLE "/usr/bin/python3"
#endif

namespace gf::python {
namespace {

// The virtualenv to honour: --virtualenv, whose default is $VIRTUAL_ENV. A stale inherited
// $VIRTUAL_ENV (no pyvenv.cfg) is only warned about; an explicit setting that is unusable, or a
// version mismatch either way, is an error.
std::optional<Virtualenv> find_virtualenv(const config::Config& cfg) {
  std::optional<std::string> dir = non_empty(cfg.get(config::settings::virtualenv));
  bool explicit_setting = dir && cfg.is_set_explicitly(config::settings::virtualenv);
  if (!dir) {
    const char* env = std::getenv("VIRTUAL_ENV");
    if (env != nullptr && *env != '\0') dir = env;
  }
  if (!dir) return std::nullopt;
  try {
    return Virtualenv::open(*dir, PY_MAJOR_VERSION, PY_MINOR_VERSION);
  } catch (const config::ConfigError& e) {
    std::string what = e.what();
    if (explicit_setting || what.find("was made with Python") != std::string::npos) throw;
    log::ErrorLog::get().warning("Ignoring VIRTUAL_ENV: {}", what);
    return std::nullopt;
  }
}

void check(PyStatus status, PyConfig& config) {
  if (!PyStatus_Exception(status)) return;
  std::string message = status.err_msg ? status.err_msg : "unknown error";
  PyConfig_Clear(&config);
  throw config::ConfigError("Python initialization failed: " + message);
}

}  // namespace

void Interpreter::initialize(const config::Config& cfg) {
  if (Py_IsInitialized()) {
    app_environment::apply(cfg);
    return;
  }
  app_environment::set_env_vars(cfg);
  std::optional<Virtualenv> venv = find_virtualenv(cfg);

  PyConfig config;
  PyConfig_InitPythonConfig(&config);
  config.install_signal_handlers = 0;  // SIGINT/SIGTERM/... belong to the arbiter and workers
  config.parse_argv = 0;
  // program_name drives sys.prefix discovery exactly as for /usr/bin/python3. For a virtualenv,
  // executable points into it: getpath and site.py then find pyvenv.cfg and add its
  // site-packages, the same way the venv's own python would.
  check(PyConfig_SetBytesString(&config, &config.program_name, GREENFORK_PYTHON_EXECUTABLE),
        config);
  std::string executable = venv ? venv->python() : std::string(GREENFORK_PYTHON_EXECUTABLE);
  check(PyConfig_SetBytesString(&config, &config.executable, executable.c_str()), config);
  check(Py_InitializeFromConfig(&config), config);
  PyConfig_Clear(&config);

  app_environment::apply(cfg);
}

void Interpreter::check_environment(const config::Config& cfg) {
  find_virtualenv(cfg);
  if (auto dir = non_empty(cfg.get(config::settings::chdir))) {
    std::error_code ec;
    if (!std::filesystem::is_directory(*dir, ec))
      throw config::ConfigError(fmt::format("--chdir: '{}' is not a directory", *dir));
  }
}

bool Interpreter::initialized() {
  return Py_IsInitialized() != 0;
}

// The fork helpers keep CPython's internal locks and os.register_at_fork callbacks consistent;
// they need the GIL, and are no-ops in a process that never started Python.
void Interpreter::before_fork() {
  if (Py_IsInitialized()) PyOS_BeforeFork();
}
void Interpreter::after_fork_parent() {
  if (Py_IsInitialized()) PyOS_AfterFork_Parent();
}
void Interpreter::after_fork_child() {
  if (Py_IsInitialized()) PyOS_AfterFork_Child();
}

// Not Py_FinalizeEx(): tearing down every module can crash in third-party extensions, and the
// process exits right after. What applications rely on is their atexit callbacks and flushed
// standard streams, as when Gunicorn's worker leaves through sys.exit().
void Interpreter::run_exit_handlers() {
  if (!Py_IsInitialized()) return;
  if (PyRun_SimpleString("import atexit, sys\n"
                         "atexit._run_exitfuncs()\n"
                         "for _s in (sys.stdout, sys.stderr):\n"
                         "    try:\n"
                         "        _s.flush()\n"
                         "    except Exception:\n"
                         "        pass\n") != 0) {
    PyErr_Clear();
  }
}

}  // namespace gf::python
