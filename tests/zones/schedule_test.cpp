#include <catch2/catch.hpp>

#include <map>

#include "test_venue.hpp"
#include "zones/schedule.hpp"

using namespace atmo;
using namespace atmo::zones;
using namespace atmo::zones::test;

namespace {

Schedule make_schedule() {
  auto s = Schedule::create(make_test_venue());
  REQUIRE(s.ok());
  return std::move(s).value();
}

// Runs the clock minute by minute over [from, to) and collects every change that fires, as a
// scheduler polling "what fired since the last tick?" would.
std::vector<ScheduledChange> simulate(const Schedule& schedule, TimeMs from, TimeMs to) {
  ManualClock clock(from);
  std::vector<ScheduledChange> fired;
  TimeMs last = clock.now_ms();
  while (clock.now_ms() < to) {
    clock.advance(kMinute);
    for (auto& c : schedule.changes_between(last, clock.now_ms())) fired.push_back(std::move(c));
    // State-based: what should be active now agrees with the last change fired.
    auto active = schedule.active_at(clock.now_ms());
    if (!fired.empty()) {
      REQUIRE(active);
      REQUIRE(active->at == fired.back().at);
    }
    last = clock.now_ms();
  }
  return fired;
}

}  // namespace

TEST_CASE("spring forward: every step fires once, 02:30 fires at 03:00", "[schedule][dst]") {
  const Schedule schedule = make_schedule();
  const LocalDate day{2026, 3, 29};
  CHECK(schedule.program_on(day).program->id() == "night");
  const TimeMs start = schedule.start_of_day(day);
  CHECK(start == utc(2026, 3, 28, 23));
  const TimeMs end = schedule.next_day_start(start);
  CHECK(end - start == 23 * kHour);  // the 23-hour day

  auto fired = simulate(schedule, start, end);
  REQUIRE(fired.size() == 4);
  CHECK(fired[0].step_at == "01:30");
  CHECK(fired[0].at == utc(2026, 3, 29, 0, 30));
  CHECK(fired[1].step_at == "02:30");
  CHECK(fired[1].venue_scene == "day");
  CHECK(fired[1].shifted);
  CHECK(fired[1].local_time == "03:00");
  CHECK(fired[1].at == utc(2026, 3, 29, 1, 0));
  CHECK(fired[2].step_at == "03:30");
  CHECK(fired[2].at == utc(2026, 3, 29, 1, 30));
  CHECK_FALSE(fired[2].shifted);
  CHECK(fired[3].step_at == "23:00");
  CHECK(fired[3].at == utc(2026, 3, 29, 21, 0));
  for (const auto& c : fired) CHECK(c.date == day);
}

TEST_CASE("fall back: the ambiguous 02:30 fires once, at its first occurrence", "[schedule][dst]") {
  const Schedule schedule = make_schedule();
  const LocalDate day{2026, 10, 25};
  const TimeMs start = schedule.start_of_day(day);
  CHECK(start == utc(2026, 10, 24, 22));
  const TimeMs end = schedule.next_day_start(start);
  CHECK(end - start == 25 * kHour);  // the 25-hour day

  auto fired = simulate(schedule, start, end);
  REQUIRE(fired.size() == 4);
  CHECK(fired[0].at == utc(2026, 10, 24, 23, 30));  // 01:30 CEST
  CHECK(fired[1].at == utc(2026, 10, 25, 0, 30));   // 02:30 CEST, not 02:30 CET an hour later
  CHECK(fired[1].local_time == "02:30");
  CHECK_FALSE(fired[1].shifted);
  CHECK(fired[2].at == utc(2026, 10, 25, 2, 30));   // 03:30 CET
  CHECK(fired[3].at == utc(2026, 10, 25, 22, 0));   // 23:00 CET
}

TEST_CASE("a program fires once per day across a week with a DST change", "[schedule][dst]") {
  const Schedule schedule = make_schedule();
  // Monday 2026-03-23 .. Sunday 2026-03-29 local.
  const TimeMs from = schedule.start_of_day({2026, 3, 23});
  const TimeMs to = schedule.start_of_day({2026, 3, 30});
  std::map<std::string, int> per_day;
  for (const auto& c : schedule.changes_between(from - 1, to - 1)) ++per_day[c.date.to_string()];
  CHECK(per_day.size() == 7);
  CHECK(per_day["2026-03-23"] == 4);   // weekday
  CHECK(per_day["2026-03-27"] == 4);
  CHECK(per_day["2026-03-28"] == 2);   // weekend
  CHECK(per_day["2026-03-29"] == 4);   // DST exception day
}

TEST_CASE("a holiday exception wins over the weekday", "[schedule]") {
  const Schedule schedule = make_schedule();
  const LocalDate new_year{2026, 1, 1};  // a Thursday
  const auto choice = schedule.program_on(new_year);
  REQUIRE(choice.program);
  CHECK(choice.program->id() == "holiday");
  CHECK(choice.exception);
  CHECK_THAT(choice.reason, Catch::Contains("New Year"));
  auto changes = schedule.changes_on(new_year);
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].step_at == "11:00");
  CHECK(changes[0].at == utc(2026, 1, 1, 10, 0));  // CET
  CHECK_THAT(changes[0].reason, Catch::Contains("New Year"));

  const auto thursday = schedule.program_on({2026, 1, 8});
  CHECK(thursday.program->id() == "weekday");
  CHECK_FALSE(thursday.exception);
  CHECK(thursday.reason == "weekly rule: Thursday");
}

TEST_CASE("a date range exception covers each day, a single date inside it is more specific", "[schedule]") {
  const Schedule schedule = make_schedule();
  CHECK(schedule.program_on({2026, 12, 23}).program->id() == "weekday");
  CHECK(schedule.program_on({2026, 12, 24}).program->id() == "holiday");
  CHECK_THAT(schedule.program_on({2026, 12, 24}).reason, Catch::Contains("2026-12-24..2026-12-26"));
  CHECK(schedule.program_on({2026, 12, 25}).program->id() == "closed-all-day");
  CHECK(schedule.program_on({2026, 12, 26}).program->id() == "holiday");  // a Saturday
  CHECK(schedule.program_on({2026, 12, 27}).program->id() == "weekend");
}

TEST_CASE("before the first step of the day the previous day's last scene carries over", "[schedule]") {
  const Schedule schedule = make_schedule();
  // Monday 2026-06-08 06:00 CEST: Sunday's weekend program closed at 20:00.
  auto active = schedule.active_at(utc(2026, 6, 8, 4, 0));
  REQUIRE(active);
  CHECK(active->venue_scene == "closed");
  CHECK(active->program == "weekend");
  CHECK(active->date == LocalDate{2026, 6, 7});
  // After 07:00 the day's own step is active.
  CHECK(schedule.active_at(utc(2026, 6, 8, 5, 0))->venue_scene == "opening");
  CHECK(schedule.active_at(utc(2026, 6, 8, 4, 59, 59))->venue_scene == "closed");
  // A day without steps carries over from the day before: Christmas Day keeps the 24th's 16:00.
  auto xmas = schedule.active_at(utc(2026, 12, 25, 11, 0));
  REQUIRE(xmas);
  CHECK(xmas->date == LocalDate{2026, 12, 24});
  CHECK(xmas->step_at == "16:00");
}

TEST_CASE("what happens today and tomorrow", "[schedule]") {
  const Schedule schedule = make_schedule();
  const TimeMs thursday_noon = utc(2026, 6, 11, 10, 0);  // 12:00 CEST
  auto next = schedule.next_change_after(thursday_noon);
  REQUIRE(next);
  CHECK(next->step_at == "18:00");
  CHECK(next->venue_scene == "evening");
  CHECK(next->at == utc(2026, 6, 11, 16, 0));

  auto upcoming = schedule.upcoming(thursday_noon);
  REQUIRE(upcoming.size() == 6);
  CHECK(upcoming[0].step_at == "18:00");
  CHECK(upcoming[1].step_at == "22:00");
  CHECK(upcoming[2].date == LocalDate{2026, 6, 12});
  CHECK(upcoming[2].step_at == "07:00");
  CHECK(upcoming[5].step_at == "22:00");
  CHECK(schedule.upcoming(thursday_noon, 1).size() == 2);

  // A change exactly at t is not "after" t; the next is.
  CHECK(schedule.next_change_after(utc(2026, 6, 11, 16, 0))->step_at == "22:00");
  // Friday night to Saturday: the weekend program's first step.
  auto sat = schedule.next_change_after(utc(2026, 6, 12, 21, 0));
  REQUIRE(sat);
  CHECK(sat->program == "weekend");
  CHECK(sat->step_at == "10:00");
}

TEST_CASE("local time and days of the venue", "[schedule]") {
  const Schedule schedule = make_schedule();
  CHECK(schedule.time_zone() == "Europe/Berlin");
  CHECK(schedule.day_of(utc(2026, 3, 28, 22, 59)) == "2026-03-28");
  CHECK(schedule.day_of(utc(2026, 3, 28, 23, 0)) == "2026-03-29");
  auto t = schedule.local_clock_time(utc(2026, 6, 12, 20, 30));  // Friday 22:30 CEST
  CHECK(t.weekday == 5);
  CHECK(t.minute_of_day == 22 * 60 + 30);
  CHECK(schedule.local_date(utc(2026, 6, 12, 22, 30)) == LocalDate{2026, 6, 13});
}

TEST_CASE("schedule configuration errors are values a person can act on", "[schedule]") {
  auto cfg = make_test_venue_config();
  cfg.set_time_zone("Europe/Atlantis");
  auto bad_tz = Schedule::create(Venue::create(cfg));
  REQUIRE_FALSE(bad_tz.ok());
  CHECK_THAT(bad_tz.error().message, Catch::Contains("Europe/Atlantis"));

  cfg = make_test_venue_config();
  cfg.mutable_programs(0)->mutable_steps(0)->set_at("7:00");
  auto bad_step = Schedule::create(Venue::create(cfg));
  REQUIRE_FALSE(bad_step.ok());
  CHECK_THAT(bad_step.error().message, Catch::Contains("weekday") && Catch::Contains("HH:MM"));

  cfg = make_test_venue_config();
  cfg.mutable_exceptions(1)->set_until("2026-12-20");
  auto bad_range = Schedule::create(Venue::create(cfg));
  REQUIRE_FALSE(bad_range.ok());
  CHECK_THAT(bad_range.error().message, Catch::Contains("before the start"));

  CHECK_FALSE(LocalDate::parse("2026-02-30").ok());
  CHECK_FALSE(LocalDate::parse("2026-2-3").ok());
  CHECK_FALSE(LocalDate::parse("2026-+1-01").ok());
  CHECK_FALSE(LocalDate::parse("2026-01-01x").ok());
  CHECK(LocalDate::parse("2026-12-24")->to_string() == "2026-12-24");
  CHECK(LocalDate::parse("2028-02-29").ok());
  CHECK_FALSE(parse_hhmm("24:00").ok());
  CHECK(*parse_hhmm("23:59") == 1439);
}

TEST_CASE("several steps in the DST gap fire once each, in configured order", "[schedule][dst]") {
  auto cfg = make_test_venue_config();
  v1::DayProgram* night = nullptr;
  for (auto& p : *cfg.mutable_programs()) {
    if (p.id() == "night") night = &p;
  }
  REQUIRE(night);
  auto* s1 = night->add_steps();
  s1->set_at("02:00");
  s1->set_venue_scene("closed");
  auto* s2 = night->add_steps();
  s2->set_at("03:00");
  s2->set_venue_scene("evening");
  auto created = Schedule::create(Venue::create(cfg));
  REQUIRE(created.ok());
  const Schedule& schedule = *created;
  const LocalDate day{2026, 3, 29};
  const TimeMs start = schedule.start_of_day(day);
  auto fired = simulate(schedule, start, schedule.next_day_start(start));
  REQUIRE(fired.size() == 6);
  // 02:00, 02:30 (both in the gap) and 03:00 all happen at 03:00 CEST = 01:00 UTC.
  CHECK(fired[1].step_at == "02:00");
  CHECK(fired[2].step_at == "02:30");
  CHECK(fired[3].step_at == "03:00");
  for (int i = 1; i <= 3; ++i) CHECK(fired[static_cast<std::size_t>(i)].at == utc(2026, 3, 29, 1, 0));
  CHECK(fired[1].shifted);
  CHECK_FALSE(fired[3].shifted);
  CHECK(schedule.active_at(utc(2026, 3, 29, 1, 0))->step_at == "03:00");  // the last configured wins
  CHECK(schedule.active_at(utc(2026, 3, 29, 0, 59))->step_at == "01:30");
}

TEST_CASE("runtime date exceptions count like the file's, refuse overlaps and replace all or nothing", "[schedule]") {
  Schedule schedule = make_schedule();
  CHECK(schedule.program_on({2026, 11, 23}).program->id() == "weekday");

  v1::DateException training;
  training.set_date("2026-11-23");
  training.set_program("closed-all-day");
  training.set_reason("Staff training");
  REQUIRE(schedule.set_runtime_exceptions({training}).ok());
  const auto choice = schedule.program_on({2026, 11, 23});
  CHECK(choice.program->id() == "closed-all-day");
  CHECK(choice.exception);
  CHECK_THAT(choice.reason, Catch::Contains("Staff training (exception 2026-11-23)"));
  CHECK(schedule.program_on({2026, 11, 24}).program->id() == "weekday");
  REQUIRE(schedule.runtime_exceptions().size() == 1);

  // Overlapping the file's Christmas range: refused, and the earlier list stays in force.
  v1::DateException overlap;
  overlap.set_date("2026-12-20");
  overlap.set_until("2026-12-24");
  overlap.set_program("holiday");
  auto refused = schedule.set_runtime_exceptions({training, overlap});
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("overlaps the exception 2026-12-24..2026-12-26 (Christmas) in the venue file"));
  CHECK(schedule.program_on({2026, 11, 23}).program->id() == "closed-all-day");
  CHECK(schedule.program_on({2026, 12, 21}).program->id() == "weekday");

  // Two runtime exceptions that overlap each other are refused as well.
  v1::DateException week;
  week.set_date("2026-11-20");
  week.set_until("2026-11-27");
  week.set_program("weekend");
  CHECK_FALSE(schedule.set_runtime_exceptions({training, week}).ok());

  v1::DateException unknown;
  unknown.set_date("2026-11-30");
  unknown.set_program("party");
  auto bad = schedule.set_runtime_exceptions({unknown});
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::Contains("unknown program \"party\""));
  CHECK(schedule.runtime_exceptions().size() == 1);

  REQUIRE(schedule.set_runtime_exceptions({}).ok());
  CHECK(schedule.program_on({2026, 11, 23}).program->id() == "weekday");
}
