// Values spelled the way Python prints them (repr() and str()), so --print-config, --help
// defaults and docs/settings.md read like Gunicorn's output: 'text', ['a', 'b'], True, None.
#pragma once

#include <string>

#include "config/value.hpp"

namespace gf::config {

// Strings inside are quoted by util::python_repr_utf8.
std::string python_repr(const Value& value);
// str(): like repr() except that a top-level string is printed bare.
std::string python_str(const Value& value);

}  // namespace gf::config
