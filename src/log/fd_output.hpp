// Low-level output for the log files: whole-line writes and in-place reopening, shared by the
// error log and the access log so both behave the same under USR1 and several writers.
#pragma once

#include <string>
#include <string_view>

#include "util/unique_fd.hpp"

namespace gf::log {

// Writes `data` with as few write(2) calls as the kernel allows (one for regular O_APPEND
// files, so lines from several processes never interleave). Retries EINTR; other errors are
// dropped, because a logger has nowhere to report its own failure.
void write_line(int fd, std::string_view data);

// Opens `path` for appending (O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC, 0644).
// Throws std::runtime_error naming the path.
util::UniqueFd open_log_file(const std::string& path);

// Reopens `path` onto the descriptor number `fd` already uses (dup3), so threads writing to
// `fd` concurrently never see a closed or reused descriptor. Throws like open_log_file.
void reopen_log_file_onto(const std::string& path, int fd);

}  // namespace gf::log
