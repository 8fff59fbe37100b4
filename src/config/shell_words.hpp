// POSIX shell word splitting as Python's shlex.split() does it (quotes, backslashes, no
// comments), used for GUNICORN_CMD_ARGS so it splits exactly as Gunicorn splits it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gf::config {

// Throws std::invalid_argument with shlex's message ("No closing quotation",
// "No escaped character").
std::vector<std::string> split_shell_words(std::string_view text);

}  // namespace gf::config
