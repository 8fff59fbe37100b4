#include "log/log_clock.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace gf::log {
namespace {

struct StampCache {
  std::time_t second = -1;
  char text[48] = {};
  std::size_t size = 0;
};

// "+0000" from tm_gmtoff, as %z would give, without strftime's locale handling.
struct UtcOffset {
  char sign;
  long hours;
  long minutes;
};

UtcOffset utc_offset(const std::tm& tm) {
  long offset = tm.tm_gmtoff;
  char sign = offset < 0 ? '-' : '+';
  offset = std::labs(offset);
  return {sign, offset / 3600, (offset % 3600) / 60};
}

std::tm local_time(std::time_t now) {
  std::tm tm{};
  localtime_r(&now, &tm);
  return tm;
}

}  // namespace

std::string_view error_log_stamp(std::time_t now) {
  thread_local StampCache cache;
  if (cache.second != now) {
    std::tm tm = local_time(now);
    UtcOffset z = utc_offset(tm);
    auto end = fmt::format_to_n(cache.text, sizeof cache.text - 1,
                                "[{:04}-{:02}-{:02} {:02}:{:02}:{:02} {}{:02}{:02}]",
                                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                                tm.tm_sec, z.sign, z.hours, z.minutes);
    cache.size = end.size;
    cache.second = now;
  }
  return {cache.text, cache.size};
}

std::string_view access_log_stamp(std::time_t now) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local StampCache cache;
  if (cache.second != now) {
    std::tm tm = local_time(now);
    UtcOffset z = utc_offset(tm);
    auto end = fmt::format_to_n(cache.text, sizeof cache.text - 1,
                                "[{:02}/{}/{:04}:{:02}:{:02}:{:02} {}{:02}{:02}]", tm.tm_mday,
                                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                                tm.tm_sec, z.sign, z.hours, z.minutes);
    cache.size = end.size;
    cache.second = now;
  }
  return {cache.text, cache.size};
}

}  // namespace gf::log
