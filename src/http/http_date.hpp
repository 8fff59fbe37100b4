// The IMF-fixdate for the Date response header ("Sun, 06 Nov 1994 08:49:37 GMT"), formatted at
// most once per second. The clock is injectable so response bytes can be tested exactly.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace gf::http {

class HttpDate {
 public:
  using Clock = std::time_t (*)();

  explicit HttpDate(Clock clock = &system_now) : clock_(clock) {}

  // Valid until the next call.
  std::string_view now();

  static std::string format(std::time_t t);

  // One cache per thread: gthread workers write responses from several threads.
  static HttpDate& thread_default();

 private:
  static std::time_t system_now() { return std::time(nullptr); }

  Clock clock_;
  std::time_t cached_second_ = -1;
  std::string cached_;
};

}  // namespace gf::http
