// A setting's value. Every setting in the table has one of these shapes.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace gf::config {

using StringList = std::vector<std::string>;
using StringMap =
    std::vector<std::pair<std::string, std::string>>;  // ordered, e.g. secure_scheme_headers

// monostate = None (unset: accesslog, pidfile, ...).
using Value =
    std::variant<std::monostate, bool, int64_t, double, std::string, StringList, StringMap>;

}  // namespace gf::config
