// The object part of an app spec, parsed with Python's own ast module like Gunicorn does:
// a name ("app"), dotted names ("app.wsgi"), or a factory call with literal arguments.
#pragma once

#include <string>
#include <vector>

#include "python/embed/py_ref.hpp"

namespace gf::python {

struct AppExpression {
  std::vector<std::string> names;  // attribute path from the module: {"app", "wsgi"}
  bool is_call = false;            // names has one element, the factory
  PyRef args;                      // tuple of positional literals (is_call)
  PyRef kwargs;                    // dict of keyword literals (is_call)

  // Throws AppLoadError with Gunicorn's message for anything else. Requires the GIL.
  static AppExpression parse(const std::string& text);
};

}  // namespace gf::python
