// Listening sockets handed over by the process that exec'd us: a USR2 re-exec passes them as
// GUNICORN_FD=<fd,fd,...>. Parsing and adoption live here so the arbiter only decides *when*.
#pragma once

#include <string_view>
#include <vector>

#include "net/listener.hpp"

namespace gf::net {

// "5,6,7" -> {5, 6, 7}. Throws BindError naming the variable on anything that is not a
// comma-separated list of non-negative ints (an empty list included): a garbled hand-over
// must stop start-up, not silently bind fresh sockets next to the old ones.
std::vector<int> parse_fd_list(std::string_view text, std::string_view variable = "GUNICORN_FD");

// Listener::adopt for each fd, in order (which is the order the old master had them in).
std::vector<Listener> adopt_all(const std::vector<int>& fds, int backlog);

}  // namespace gf::net
