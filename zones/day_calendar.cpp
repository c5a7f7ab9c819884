#include "zones/day_calendar.hpp"

#include <cstdio>
#include <ctime>

namespace atmo::zones {
namespace {
constexpr TimeMs kDayMs = 86'400'000;

TimeMs floor_day(TimeMs t) { return (t >= 0 ? t / kDayMs : (t - kDayMs + 1) / kDayMs) * kDayMs; }
}  // namespace

std::string UtcDayCalendar::day_of(TimeMs t) const {
  const std::time_t secs = static_cast<std::time_t>(floor_day(t) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
                tm.tm_mday % 100);
  return buf;
}

TimeMs UtcDayCalendar::next_day_start(TimeMs t) const { return floor_day(t) + kDayMs; }

}  // namespace atmo::zones
