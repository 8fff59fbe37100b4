// Local-time stamps for log lines, cached per second and per thread: every log line needs one
// and localtime_r is far slower than copying 30 bytes. English month names, never the locale's.
#pragma once

#include <ctime>
#include <string_view>

namespace gf::log {

// "[2026-11-25 16:14:59 +0000]" (the error log's datefmt). The view stays valid until the next
// call on the same thread.
std::string_view error_log_stamp(std::time_t now);

// "[25/Nov/2026:16:15:01 +0000]" (the access log's %(t)s). Same lifetime rule.
std::string_view access_log_stamp(std::time_t now);

}  // namespace gf::log
