#include "controller/report/venue_time.hpp"

#include <date/tz.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>

namespace atmo::report {
namespace {

using std::chrono::milliseconds;

const date::time_zone* tz_of(const void* zone) { return static_cast<const date::time_zone*>(zone); }

bool digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int number(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace

Result<VenueTime> VenueTime::create(const std::string& time_zone) {
  try {
    return VenueTime(time_zone, date::locate_zone(time_zone));
  } catch (const std::exception& e) {
    return make_error("unknown time zone '" + time_zone + "': " + e.what());
  }
}

std::string VenueTime::iso(TimeMs t) const {
  const auto sys = date::sys_time<milliseconds>{milliseconds{t}};
  const auto info = tz_of(zone_)->get_info(date::floor<std::chrono::seconds>(sys));
  const auto local = date::local_time<milliseconds>{sys.time_since_epoch() + info.offset};
  std::string text = date::format("%Y-%m-%dT%H:%M:%S", date::floor<std::chrono::seconds>(local));
  if (const auto ms = ((t % 1000) + 1000) % 1000; ms != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(ms));
    text += buf;
  }
  const auto offset_min = std::chrono::duration_cast<std::chrono::minutes>(info.offset).count();
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset_min < 0 ? '-' : '+',
                static_cast<int>(std::abs(offset_min) / 60), static_cast<int>(std::abs(offset_min) % 60));
  return text + buf;
}

std::string VenueTime::hhmm(TimeMs t) const {
  const auto local = tz_of(zone_)->to_local(date::sys_time<milliseconds>{milliseconds{t}});
  return date::format("%H:%M", date::floor<std::chrono::minutes>(local));
}

std::string VenueTime::date_hhmm(TimeMs t) const {
  const auto local = tz_of(zone_)->to_local(date::sys_time<milliseconds>{milliseconds{t}});
  return date::format("%Y-%m-%d %H:%M", date::floor<std::chrono::minutes>(local));
}

Result<TimeMs> VenueTime::parse(std::string_view text) const {
  const std::string shown(text);
  const auto bad = [&] {
    return make_error("cannot read time '" + shown +
                      "': use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] (venue time, " + name_ +
                      "), the same with Z or +HH:MM, or UTC milliseconds");
  };
  if (digits(text) && text.size() > 10) return static_cast<TimeMs>(std::stoll(shown));
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return bad();
  const auto y = text.substr(0, 4), mo = text.substr(5, 2), d = text.substr(8, 2);
  if (!digits(y) || !digits(mo) || !digits(d)) return bad();
  const date::year_month_day ymd{date::year{number(y)}, date::month{static_cast<unsigned>(number(mo))},
                                 date::day{static_cast<unsigned>(number(d))}};
  if (!ymd.ok()) return make_error("'" + shown + "' is not a calendar date");
  int h = 0, mi = 0, s = 0;
  std::string_view rest = text.substr(10);
  if (!rest.empty()) {
    if (rest[0] != 'T' && rest[0] != ' ') return bad();
    rest.remove_prefix(1);
    if (rest.size() < 5 || rest[2] != ':' || !digits(rest.substr(0, 2)) || !digits(rest.substr(3, 2))) return bad();
    h = number(rest.substr(0, 2));
    mi = number(rest.substr(3, 2));
    rest.remove_prefix(5);
    if (rest.size() >= 3 && rest[0] == ':') {
      if (!digits(rest.substr(1, 2))) return bad();
      s = number(rest.substr(1, 2));
      rest.remove_prefix(3);
    }
    if (h > 23 || mi > 59 || s > 59) return make_error("'" + shown + "' is not a time of day");
  }
  const auto local = date::local_seconds{date::local_days{ymd}} + std::chrono::hours{h} +
                     std::chrono::minutes{mi} + std::chrono::seconds{s};
  date::sys_seconds sys;
  if (rest.empty()) {
    // Venue-local: a time in the DST gap means the first instant after it, a repeated one its
    // first occurrence, as the scheduler does.
    const auto info = tz_of(zone_)->get_info(local);
    if (info.result == date::local_info::nonexistent) {
      sys = info.second.begin;
    } else {
      sys = date::sys_seconds{local.time_since_epoch() - info.first.offset};
    }
  } else if (rest == "Z") {
    sys = date::sys_seconds{local.time_since_epoch()};
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
             digits(rest.substr(1, 2)) && digits(rest.substr(4, 2))) {
    const auto offset = std::chrono::minutes{number(rest.substr(1, 2)) * 60 + number(rest.substr(4, 2))};
    sys = date::sys_seconds{local.time_since_epoch() - (rest[0] == '+' ? offset : -offset)};
  } else {
    return bad();
  }
  return std::chrono::duration_cast<milliseconds>(sys.time_since_epoch()).count();
}

}  // namespace atmo::report
