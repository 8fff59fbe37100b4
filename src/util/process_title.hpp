// Process titles as `ps` and /proc/PID/cmdline show them ("greenfork: worker [app]"): the
// argv area (and the environment strings after it) is reused once environ has been moved away.
#pragma once

#include <string_view>

namespace gf::util {

// Call once at the very start of main(), before anything reads environ pointers.
void init_process_title(int argc, char** argv);
void set_process_title(std::string_view title);

}  // namespace gf::util
