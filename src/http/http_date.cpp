#include "http/http_date.hpp"

#include <fmt/format.h>

namespace gf::http {

std::string HttpDate::format(std::time_t t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} GMT", kDays[tm.tm_wday], tm.tm_mday,
                     kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string_view HttpDate::now() {
  std::time_t t = clock_();
  if (t != cached_second_) {
    cached_ = format(t);
    cached_second_ = t;
  }
  return cached_;
}

HttpDate& HttpDate::thread_default() {
  thread_local HttpDate date;
  return date;
}

}  // namespace gf::http
