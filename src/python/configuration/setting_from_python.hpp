// A Python object that a config file assigned to a setting's name, made into the config::Value
// the settings table expects, following Gunicorn's validators for each Python type.
#pragma once

#include <Python.h>

#include "config/settings_table.hpp"
#include "config/value.hpp"

namespace gf::python {

struct SettingFromPython {
  config::Value value;  // validated, ready for Config::set_value
  // The value only names the object (a hook function's "module.qualname" marker, a worker
  // class's dotted path, a dict's repr): keep the object itself in ConfigObjects.
  bool keep_object = false;
};

// Shapes: None, bool, int, float, str, list/tuple of str (a bare str is a one-element list),
// dict of str (secure_scheme_headers; any dict for logconfig_dict), callables for hooks (arity
// checked), classes for worker_class. Throws config::InvalidValue whose what() says what was
// expected. Needs the GIL.
SettingFromPython setting_from_python(const config::SettingSpec& spec, PyObject* object);

}  // namespace gf::python
