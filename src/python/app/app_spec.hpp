// The APP_MODULE string split into what to import and what to look up in it:
// "pkg.mod" -> (pkg.mod, application), "pkg.mod:expr" -> (pkg.mod, expr).
#pragma once

#include <string>
#include <string_view>

namespace gf::python {

struct AppSpec {
  std::string module;
  std::string object = "application";  // a name, dotted names, or a factory call expression

  static AppSpec parse(std::string_view uri);
  // "app.py" given as the module while app.py exists: Gunicorn's hint names "app:<object>".
  std::string py_file_hint() const;
};

}  // namespace gf::python
