// The Python objects behind config-file settings that a config::Value cannot carry (hook
// callables, a worker class, logconfig_dict): kept alive here for the code that will use them.
#pragma once

#include <Python.h>

#include <memory>
#include <string_view>

#include "config/config.hpp"
#include "config/value.hpp"

namespace gf::python {

// Process-wide, like the interpreter itself; forked workers inherit it. Needs the GIL.
class ConfigObjects {
 public:
  // Remembers `object` as the source of `setting`, whose Config holds `stored` (e.g. the marker
  // "__config__.post_fork" for a hook function). Replaces an earlier entry for the setting.
  static void keep(std::string_view setting, const config::Value& stored, PyObject* object);
  // The object a config file set for `setting` (borrowed), or nullptr when there is none or
  // when `cfg` no longer holds that file's value (GUNICORN_CMD_ARGS or the CLI overrode it).
  static PyObject* find(const config::Config& cfg, std::string_view setting);
  // Forgets every object (before a config file is read again).
  static void clear();
  // A copy of every entry, and putting it back: a config file read again on HUP starts with
  // clear(), so when the new configuration is rejected the running one must get its objects
  // (hooks) back. Needs the GIL when Python runs.
  static std::shared_ptr<void> save();
  static void restore(const std::shared_ptr<void>& saved);
};

}  // namespace gf::python
