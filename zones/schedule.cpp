#include "zones/schedule.hpp"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace atmo::zones {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

constexpr int kSearchDays = 366;  // look-back/ahead limit: a year covers every weekly rule and most closures

date::local_days to_days(LocalDate d) {
  return date::local_days{date::year{d.year} / date::month{d.month} / date::day{d.day}};
}

LocalDate from_days(date::local_days days) {
  const date::year_month_day ymd{days};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())};
}

struct Step {
  int minute = 0;
  std::string at;
  std::string venue_scene;
};

struct Exception {
  date::local_days from;
  date::local_days until;
  const v1::DayProgram* program = nullptr;
  std::string reason;
};

Result<Exception> parse_exception(const Venue& venue, const v1::DateException& e) {
  auto from = LocalDate::parse(e.date());
  if (!from) return make_error("exception: " + from.error().message);
  LocalDate until_date = *from;
  if (!e.until().empty()) {
    auto until = LocalDate::parse(e.until());
    if (!until) return make_error("exception " + e.date() + ": until: " + until.error().message);
    until_date = *until;
    if (until_date < *from) {
      return make_error("exception " + e.date() + ": until " + e.until() + " is before the start date");
    }
  }
  const v1::DayProgram* p = venue.program(e.program());
  if (!p) return make_error("exception " + e.date() + ": unknown program \"" + e.program() + "\"");
  return Exception{to_days(*from), to_days(until_date), p, e.reason()};
}

bool overlap(const Exception& a, const Exception& b) { return a.from <= b.until && b.from <= a.until; }

}  // namespace

struct Schedule::Impl {
  std::shared_ptr<const Venue> venue;
  const date::time_zone* tz = nullptr;
  std::string tz_name;
  std::array<const v1::DayProgram*, 8> week{};  // index = ISO weekday 1..7
  std::vector<Exception> exceptions;          // the venue file's
  std::vector<Exception> runtime_exceptions;  // added over the API; never overlap the file's
  std::vector<v1::DateException> runtime_messages;
  std::map<std::string, std::vector<Step>, std::less<>> steps;  // program id -> steps by local time

  date::local_days local_days_of(TimeMs t) const {
    const auto local = tz->to_local(date::sys_time<milliseconds>{milliseconds{t}});
    return date::floor<date::days>(local);
  }

  // The instant local wall time `minute` of day `d` happens, and whether it had to move.
  TimeMs resolve(date::local_days d, int minute, bool* shifted) const {
    const date::local_seconds local = d + minutes{minute};
    const date::local_info info = tz->get_info(local);
    date::sys_seconds sys;
    switch (info.result) {
      case date::local_info::nonexistent:
        sys = info.first.end;  // the gap's end: the first valid instant after the missing time
        if (shifted) *shifted = true;
        break;
      case date::local_info::ambiguous:  // first occurrence: still on the earlier (summer) offset
      case date::local_info::unique:
      default:
        sys = date::sys_seconds{local.time_since_epoch()} - info.first.offset;
        break;
    }
    return std::chrono::duration_cast<milliseconds>(sys.time_since_epoch()).count();
  }

  std::string local_hhmm(TimeMs t) const {
    const auto local = tz->to_local(date::sys_time<milliseconds>{milliseconds{t}});
    const auto since_midnight = local - date::floor<date::days>(local);
    return format_hhmm(static_cast<int>(std::chrono::duration_cast<minutes>(since_midnight).count()));
  }

  ProgramChoice choose(date::local_days d) const {
    const Exception* best = nullptr;
    for (const auto* list : {&exceptions, &runtime_exceptions}) {
      for (const auto& e : *list) {
        if (d < e.from || d > e.until) continue;
        if (!best || (e.until - e.from) < (best->until - best->from)) best = &e;
      }
    }
    if (best) {
      std::string span = from_days(best->from).to_string();
      if (best->until != best->from) span += ".." + from_days(best->until).to_string();
      const std::string what = best->reason.empty() ? "date exception" : best->reason;
      return {best->program, what + " (exception " + span + ")", true};
    }
    const unsigned iso = date::weekday{d}.iso_encoding();
    const v1::DayProgram* p = week[iso];
    return {p, p ? "weekly rule: " + std::string(weekday_name(static_cast<int>(iso))) : std::string(), false};
  }

  std::vector<ScheduledChange> changes(date::local_days d) const {
    std::vector<ScheduledChange> out;
    const ProgramChoice choice = choose(d);
    if (!choice.program) return out;
    auto it = steps.find(choice.program->id());
    if (it == steps.end()) return out;
    for (const auto& step : it->second) {
      ScheduledChange c;
      c.at = resolve(d, step.minute, &c.shifted);
      c.date = from_days(d);
      c.step_at = step.at;
      c.local_time = local_hhmm(c.at);
      c.venue_scene = step.venue_scene;
      c.program = choice.program->id();
      c.reason = choice.reason;
      out.push_back(std::move(c));
    }
    // Steps in the DST gap all land on the gap's end, possibly together with a step at that very
    // time; a stable sort keeps their configured order, so the last configured one ends up active.
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
    return out;
  }
};

Result<LocalDate> LocalDate::parse(std::string_view text) {
  const std::string s(text);
  auto digits = [&](std::size_t from, std::size_t n) {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  const bool shaped = s.size() == 10 && s[4] == '-' && s[7] == '-';
  const int y = shaped ? digits(0, 4) : -1;
  const int m = shaped ? digits(5, 2) : -1;
  const int d = shaped ? digits(8, 2) : -1;
  if (y < 0 || m < 0 || d < 0) return make_error("date \"" + s + "\" is not YYYY-MM-DD (e.g. 2026-12-24)");
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return make_error("date \"" + s + "\" does not exist");
  return LocalDate{y, static_cast<unsigned>(m), static_cast<unsigned>(d)};
}

std::string LocalDate::to_string() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", year % 10000, month % 100, day % 100);
  return buf;
}

Schedule::Schedule(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Schedule::Schedule(Schedule&&) noexcept = default;
Schedule& Schedule::operator=(Schedule&&) noexcept = default;
Schedule::~Schedule() = default;

Result<Schedule> Schedule::create(std::shared_ptr<const Venue> venue) {
  auto impl = std::make_unique<Impl>();
  const v1::Venue& cfg = venue->config();
  impl->tz_name = cfg.time_zone().empty() ? "UTC" : cfg.time_zone();
  try {
    impl->tz = date::locate_zone(impl->tz_name);
  } catch (const std::exception&) {
    return make_error("time_zone \"" + impl->tz_name +
                      "\" is not a known IANA time zone (e.g. Europe/Berlin); is tzdata installed?");
  }

  for (const auto& program : cfg.programs()) {
    auto& steps = impl->steps[program.id()];
    for (const auto& step : program.steps()) {
      auto minute = parse_hhmm(step.at());
      if (!minute) return make_error("program " + program.id() + ": " + minute.error().message);
      if (!venue->venue_scene(step.venue_scene())) {
        return make_error("program " + program.id() + ", step " + step.at() + ": unknown venue scene \"" +
                          step.venue_scene() + "\"");
      }
      steps.push_back({*minute, step.at(), step.venue_scene()});
    }
    std::stable_sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) { return a.minute < b.minute; });
  }
  for (const auto& rule : cfg.week()) {
    const v1::DayProgram* p = venue->program(rule.program());
    if (!p) return make_error("week rule: unknown program \"" + rule.program() + "\"");
    for (int day : rule.days()) {
      if (day < 1 || day > 7) return make_error("week rule for " + rule.program() + ": weekday missing");
      auto& slot = impl->week[static_cast<std::size_t>(day)];
      if (!slot) slot = p;  // the first rule naming a weekday wins, as the file reads top-down
    }
  }
  for (const auto& e : cfg.exceptions()) {
    auto parsed = parse_exception(*venue, e);
    if (!parsed) return parsed.error();
    impl->exceptions.push_back(std::move(parsed).value());
  }
  impl->venue = std::move(venue);
  return Schedule(std::move(impl));
}

Status Schedule::set_runtime_exceptions(std::vector<v1::DateException> exceptions) {
  std::vector<Exception> parsed;
  for (const auto& e : exceptions) {
    auto one = parse_exception(*impl_->venue, e);
    if (!one) return one.error();
    auto span = [](const Exception& x) {
      return from_days(x.from).to_string() + (x.until == x.from ? "" : ".." + from_days(x.until).to_string());
    };
    for (const auto* list : {&impl_->exceptions, &parsed}) {
      for (const auto& other : *list) {
        if (!overlap(*one, other)) continue;
        return make_error("exception " + span(*one) + " overlaps the exception " + span(other) +
                          (other.reason.empty() ? "" : " (" + other.reason + ")") +
                          (list == &impl_->exceptions ? " in the venue file" : ""));
      }
    }
    parsed.push_back(std::move(one).value());
  }
  impl_->runtime_exceptions = std::move(parsed);
  impl_->runtime_messages = std::move(exceptions);
  return ok_status();
}

const std::vector<v1::DateException>& Schedule::runtime_exceptions() const { return impl_->runtime_messages; }

const std::string& Schedule::time_zone() const { return impl_->tz_name; }

LocalDate Schedule::local_date(TimeMs t) const { return from_days(impl_->local_days_of(t)); }

LocalClockTime Schedule::local_clock_time(TimeMs t) const {
  const auto local = impl_->tz->to_local(date::sys_time<milliseconds>{milliseconds{t}});
  const auto day = date::floor<date::days>(local);
  const auto minute = std::chrono::duration_cast<minutes>(local - day).count();
  return {static_cast<int>(date::weekday{day}.iso_encoding()), static_cast<int>(minute)};
}

TimeMs Schedule::start_of_day(LocalDate d) const { return impl_->resolve(to_days(d), 0, nullptr); }

ProgramChoice Schedule::program_on(LocalDate d) const { return impl_->choose(to_days(d)); }

std::vector<ScheduledChange> Schedule::changes_on(LocalDate d) const { return impl_->changes(to_days(d)); }

std::optional<ScheduledChange> Schedule::active_at(TimeMs t) const {
  const auto today = impl_->local_days_of(t);
  for (int back = 0; back <= kSearchDays; ++back) {
    auto day = impl_->changes(today - date::days{back});
    for (auto it = day.rbegin(); it != day.rend(); ++it) {
      if (it->at <= t) return std::move(*it);
    }
  }
  return std::nullopt;
}

std::optional<ScheduledChange> Schedule::next_change_after(TimeMs t) const {
  const auto today = impl_->local_days_of(t);
  for (int ahead = 0; ahead <= kSearchDays; ++ahead) {
    for (auto& c : impl_->changes(today + date::days{ahead})) {
      if (c.at > t) return std::move(c);
    }
  }
  return std::nullopt;
}

std::vector<ScheduledChange> Schedule::changes_between(TimeMs after, TimeMs until) const {
  std::vector<ScheduledChange> out;
  if (until <= after) return out;
  const auto last = impl_->local_days_of(until);
  for (auto day = impl_->local_days_of(after); day <= last; day += date::days{1}) {
    for (auto& c : impl_->changes(day)) {
      if (c.at > after && c.at <= until) out.push_back(std::move(c));
    }
  }
  return out;
}

std::vector<ScheduledChange> Schedule::upcoming(TimeMs now, int days) const {
  if (days < 1) return {};
  const TimeMs end = impl_->resolve(impl_->local_days_of(now) + date::days{days}, 0, nullptr);
  return changes_between(now, end - 1);
}

std::string Schedule::day_of(TimeMs t) const { return local_date(t).to_string(); }

TimeMs Schedule::next_day_start(TimeMs t) const {
  return impl_->resolve(impl_->local_days_of(t) + date::days{1}, 0, nullptr);
}

}  // namespace atmo::zones
