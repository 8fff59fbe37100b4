// Signal names as Gunicorn logs them: "hup" in "Handling signal: hup", "SIGKILL" in
// "Worker (pid:N) was sent SIGKILL!".
#pragma once

#include <string>

namespace gf::arbiter {

std::string signal_short_name(int sig);  // "hup", "term", ...
std::string signal_full_name(int sig);   // "SIGHUP", "SIGTERM", ...

}  // namespace gf::arbiter
