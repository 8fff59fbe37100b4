// Python's repr() of a string, because Gunicorn's messages embed %r: HTTP error texts
// ("Invalid HTTP request line: 'GET'") and settings errors ("Invalid value for workers: 'x'").
#pragma once

#include <string>
#include <string_view>

namespace gf::util {

// repr(bytes.decode("utf-8")): quotes chosen like Python (single unless only they occur), \\,
// \t, \n, \r escaped, other ASCII controls and DEL as \xNN; bytes >= 0x80 are kept as they
// are, so UTF-8 text stays readable (settings, paths, module names).
std::string python_repr_utf8(std::string_view utf8);

// repr(bytes.decode("latin-1")): the same, but each byte is one code point, so the ones
// str.isprintable() rejects (C1 controls, NBSP, soft hyphen) become \xNN too (request bytes).
std::string python_repr_latin1(std::string_view latin1);

}  // namespace gf::util
