// Config files as Gunicorn reads them (-c PATH, file:PATH, python:MODULE, the implicit
// gunicorn.conf.py): run as Python in the master, every module-level setting name applied.
#pragma once

#include <Python.h>

#include <string>

#include "config/command_line.hpp"
#include "config/config.hpp"

namespace gf::python {

class ConfigFile {
 public:
  // A config::ConfigFileLoader (PasteConfig::load_with_config_file wraps it). Without
  // `explicitly_given`, looks for greenfork.conf.py, then gunicorn.conf.py, in the --chdir
  // directory and then in the start-up directory, and returns quietly when there is none.
  // Starts the interpreter (with `command_line`'s --chdir, --pythonpath, --virtualenv, --env)
  // only when there is a file to run, so a master without one stays free of Python.
  // Throws config::ConfigError with the text to print: "Failed to read config file: PATH" and
  // the traceback, "Invalid value for NAME: VALUE (...)", or "Error: 'PATH' doesn't exist".
  static config::LoadConfigFile load;

  // Applies every entry of the dict `names` (a module's namespace) whose key is a setting
  // name, in order; other names are ignored. Objects that a Value only names (hook functions,
  // ...) go to ConfigObjects. Throws config::ConfigError on the first invalid value. Needs
  // the GIL.
  static void apply(config::Config& config, PyObject* names);
};

}  // namespace gf::python
