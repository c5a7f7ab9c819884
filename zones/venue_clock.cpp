#include "zones/venue_clock.hpp"

#include <date/tz.h>

#include <cctype>
#include <cstdio>
#include <sstream>

namespace atmo {
namespace {

using std::chrono::milliseconds;

int digits(std::string_view s, std::size_t at, std::size_t n, bool& ok) {
  if (at + n > s.size()) {
    ok = false;
    return 0;
  }
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) ok = false;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

Result<TimeMs> parse_venue_instant(std::string_view text, const std::string& time_zone) {
  const std::string shown(text);
  const auto bad = [&] {
    return make_error("--clock '" + shown +
                      "' is not a venue time: write YYYY-MM-DDTHH:MM[:SS] (venue-local), optionally ending in Z "
                      "or an offset such as +02:00");
  };
  bool ok = true;
  const int year = digits(text, 0, 4, ok);
  const int month = digits(text, 5, 2, ok);
  const int day = digits(text, 8, 2, ok);
  const int hour = digits(text, 11, 2, ok);
  const int minute = digits(text, 14, 2, ok);
  if (!ok || text.size() < 16 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') ||
      text[13] != ':') {
    return bad();
  }
  std::size_t at = 16;
  int second = 0;
  if (at < text.size() && text[at] == ':') {
    second = digits(text, at + 1, 2, ok);
    at += 3;
    if (!ok) return bad();
  }
  const date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(month)},
                                 date::day{static_cast<unsigned>(day)}};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) return make_error("--clock '" + shown + "': no such date or time");
  const auto local = date::local_days{ymd} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
                     std::chrono::seconds{second};
  const std::string_view zone_part = text.substr(at);
  date::sys_seconds sys;
  if (zone_part.empty()) {
    const date::time_zone* tz = nullptr;
    try {
      tz = date::locate_zone(time_zone);
    } catch (const std::exception&) {
      return make_error("--clock: the venue's time zone '" + time_zone + "' is unknown");
    }
    const auto info = tz->get_info(local);
    if (info.result == date::local_info::nonexistent) {
      return make_error("--clock '" + shown + "' does not exist in " + time_zone +
                        " (the clocks jump forward over it): pick a time outside the gap or give an offset");
    }
    sys = date::sys_seconds{local.time_since_epoch()} - info.first.offset;
  } else if (zone_part == "Z" || zone_part == "z") {
    sys = date::sys_seconds{local.time_since_epoch()};
  } else {
    // +HH:MM, +HHMM or +HH
    if (zone_part[0] != '+' && zone_part[0] != '-') return bad();
    const int oh = digits(zone_part, 1, 2, ok);
    std::size_t m_at = 3;
    if (zone_part.size() > 3 && zone_part[3] == ':') m_at = 4;
    const int om = zone_part.size() > m_at ? digits(zone_part, m_at, 2, ok) : 0;
    if (!ok || oh > 23 || om > 59 || (zone_part.size() != 3 && zone_part.size() != m_at + 2)) return bad();
    const auto offset = std::chrono::minutes{oh * 60 + om};
    sys = date::sys_seconds{local.time_since_epoch()} - (zone_part[0] == '+' ? offset : -offset);
  }
  return std::chrono::duration_cast<milliseconds>(sys.time_since_epoch()).count();
}

Result<std::shared_ptr<const Clock>> make_process_clock(const std::string& start_text, double rate,
                                                        const std::string& time_zone) {
  if (!(rate >= VenueClock::kMinRate && rate <= VenueClock::kMaxRate)) {
    std::ostringstream out;
    out << "--rate " << rate << " is outside " << VenueClock::kMinRate << ".." << VenueClock::kMaxRate
        << " venue seconds per real second";
    return make_error(out.str());
  }
  if (start_text.empty() && rate == 1.0) return std::shared_ptr<const Clock>(std::make_shared<SystemClock>());
  TimeMs start = SystemClock{}.now_ms();
  if (!start_text.empty()) {
    auto parsed = parse_venue_instant(start_text, time_zone);
    if (!parsed) return parsed.error();
    start = *parsed;
  }
  return std::shared_ptr<const Clock>(std::make_shared<VenueClock>(start, rate));
}

std::string format_venue_time(TimeMs t, const std::string& time_zone) {
  const date::sys_time<std::chrono::seconds> sys{std::chrono::duration_cast<std::chrono::seconds>(milliseconds{t})};
  try {
    return date::format("%F %T %Z", date::make_zoned(time_zone, sys));
  } catch (const std::exception&) {
    return date::format("%F %T UTC", sys);
  }
}

}  // namespace atmo
