// http::py_repr, kept only for response_writer.cpp (being rewritten elsewhere): every other
// http/ file calls util::python_repr_latin1 directly. Remove once response_writer does too.
#pragma once

#include <string>
#include <string_view>

#include "util/python_repr.hpp"

namespace gf::http {

inline std::string py_repr(std::string_view latin1) {
  return util::python_repr_latin1(latin1);
}

}  // namespace gf::http
