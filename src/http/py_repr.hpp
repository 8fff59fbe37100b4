// Python's repr() of a latin-1 decoded byte string, because Gunicorn's error texts
// ("Invalid HTTP request line: 'GET'") embed %r and they reach logs and error pages.
#pragma once

#include <string>
#include <string_view>

namespace gf::http {

// repr(bytes.decode("latin-1")): quotes chosen like Python, \t \n \r \\ escaped,
// non-printable characters as \xNN, printable latin-1 bytes kept as they are.
std::string py_repr(std::string_view latin1);

}  // namespace gf::http
