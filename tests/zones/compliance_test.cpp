#include <catch2/catch.hpp>

#include "test_venue.hpp"
#include "zones/compliance.hpp"
#include "zones/schedule.hpp"

using namespace atmo;
using namespace atmo::zones;
using namespace atmo::zones::test;
using Kind = ComplianceEvent::Kind;

namespace {

constexpr const char* kTemp = "lounge.air.temperature";
constexpr const char* kHumidity = "lounge.air.humidity";
const TimeMs kT0 = utc(2026, 6, 11, 8, 0);

std::vector<ComplianceEvent> collect(std::vector<ComplianceEvent>& into, ComplianceUpdate u) {
  into.insert(into.end(), u.events.begin(), u.events.end());
  return u.events;
}

int count(const std::vector<ComplianceEvent>& events, Kind kind, std::string_view item) {
  int n = 0;
  for (const auto& e : events) n += (e.kind == kind && e.item == item) ? 1 : 0;
  return n;
}

const ComplianceEvent* find(const std::vector<ComplianceEvent>& events, Kind kind, std::string_view item) {
  for (const auto& e : events) {
    if (e.kind == kind && e.item == item) return &e;
  }
  return nullptr;
}

ComplianceState state_of(const ComplianceEngine& engine, std::string_view id) {
  for (const auto& c : engine.criteria()) {
    if (c.id == id) return c.state;
  }
  for (const auto& c : engine.checklist()) {
    if (c.id == id) return c.state;
  }
  FAIL("no such criterion or item " << id);
  return ComplianceState::not_applicable;
}

// Both air values at each step, in time order, as the poller delivers them.
void air_every(ComplianceEngine& e, std::vector<ComplianceEvent>& events, double temp, double humidity, TimeMs from,
               TimeMs to, TimeMs step = 10 * kSecond) {
  for (TimeMs t = from; t < to; t += step) {
    collect(events, e.feed(kTemp, temp, v1::QUALITY_GOOD, t));
    collect(events, e.feed(kHumidity, humidity, v1::QUALITY_GOOD, t));
  }
}

DailyIndex index_of(const std::vector<DailyIndex>& days, std::string_view zone, v1::Sense sense) {
  for (const auto& d : days) {
    if (d.zone == zone && d.sense == sense) return d;
  }
  FAIL("no index for " << zone << "/" << to_string(sense));
  return {};
}

struct Fixture {
  std::shared_ptr<const Venue> venue = make_test_venue();
  UtcDayCalendar calendar;
  ComplianceEngine engine{venue, calendar, kT0};
  std::vector<ComplianceEvent> events;

  Fixture() {
    collect(events, engine.set_day_part("day", kT0));
    collect(events, engine.feed(kTemp, 24, v1::QUALITY_GOOD, kT0));
    collect(events, engine.feed(kHumidity, 50, v1::QUALITY_GOOD, kT0));
  }
};

}  // namespace

TEST_CASE("outside for exactly the tolerance is drifting, one millisecond more is out of standard",
          "[compliance]") {
  Fixture f;
  CHECK(state_of(f.engine, "air-temp") == ComplianceState::ok);
  const TimeMs left = kT0 + 10 * kSecond;
  air_every(f.engine, f.events, 26, 50, left, left + 300 * kSecond + 1);  // last feed at exactly +300 s
  CHECK(state_of(f.engine, "air-temp") == ComplianceState::drifting);
  CHECK(f.engine.sense_state("lounge", v1::SENSE_TOUCH) == ComplianceState::drifting);
  CHECK(f.engine.criteria_out_of_standard().empty());
  f.engine.advance_to(left + 300 * kSecond);
  CHECK(state_of(f.engine, "air-temp") == ComplianceState::drifting);
  CHECK(count(f.events, Kind::alarm_raised, "air-temp") == 0);

  auto events = collect(f.events, f.engine.advance_to(left + 300 * kSecond + 1));
  CHECK(state_of(f.engine, "air-temp") == ComplianceState::out_of_standard);
  CHECK(f.engine.sense_state("lounge", v1::SENSE_TOUCH) == ComplianceState::out_of_standard);
  const auto alarms = f.engine.criteria_out_of_standard();
  REQUIRE(alarms.size() == 1);
  CHECK(alarms[0].id == "air-temp");
  CHECK(alarms[0].zone == "lounge");
  CHECK(f.engine.checklist_out_of_standard().empty());
  const auto* raised = find(events, Kind::alarm_raised, "air-temp");
  REQUIRE(raised);
  CHECK(raised->start == left);
  CHECK(raised->at == left + 300 * kSecond);
  CHECK(*raised->worst_value == 26);
  CHECK(raised->sense == v1::SENSE_TOUCH);
  CHECK_THAT(raised->message, Catch::Contains("26 °C outside 23..25"));
}

TEST_CASE("back to ok only inside the range by the hysteresis, flapping raises one alarm", "[compliance]") {
  Fixture f;
  // Flapping around the bound while drifting: each return into the range ends the drift.
  for (int i = 0; i < 60; ++i) {
    collect(f.events, f.engine.feed(kTemp, i % 2 ? 24.9 : 25.1, v1::QUALITY_GOOD, kT0 + i * 10 * kSecond));
  }
  CHECK(count(f.events, Kind::alarm_raised, "air-temp") == 0);

  // A real departure: out of standard after 5 minutes, with 25.8 the worst reading.
  const TimeMs left = kT0 + 10 * kMinute;
  air_every(f.engine, f.events, 25.4, 50, left, left + 3 * kMinute);
  air_every(f.engine, f.events, 25.8, 50, left + 3 * kMinute, left + 6 * kMinute);
  REQUIRE(state_of(f.engine, "air-temp") == ComplianceState::out_of_standard);
  // Flapping around the bound while out of standard: no clear, no second alarm.
  for (int i = 0; i < 60; ++i) {
    collect(f.events, f.engine.feed(kTemp, i % 2 ? 24.9 : 25.1, v1::QUALITY_GOOD, left + 6 * kMinute + i * 10 * kSecond));
  }
  CHECK(state_of(f.engine, "air-temp") == ComplianceState::out_of_standard);
  CHECK(count(f.events, Kind::alarm_raised, "air-temp") == 1);
  CHECK(count(f.events, Kind::alarm_cleared, "air-temp") == 0);
  // 24.6 is inside the range but not by 0.5: still out of standard. 24.5 is: cleared.
  const TimeMs t1 = left + 20 * kMinute;
  collect(f.events, f.engine.feed(kTemp, 24.6, v1::QUALITY_GOOD, t1));
  CHECK(state_of(f.engine, "air-temp") == ComplianceState::out_of_standard);
  auto events = collect(f.events, f.engine.feed(kTemp, 24.5, v1::QUALITY_GOOD, t1 + 10 * kSecond));
  CHECK(state_of(f.engine, "air-temp") == ComplianceState::ok);
  const auto* cleared = find(events, Kind::alarm_cleared, "air-temp");
  REQUIRE(cleared);
  CHECK(cleared->start == left);
  CHECK(cleared->end == t1 + 10 * kSecond);
  CHECK(cleared->duration_ms == 20 * kMinute + 10 * kSecond);
  CHECK(*cleared->worst_value == 25.8);
  // The low bound works the same way.
  const TimeMs t2 = t1 + 30 * kMinute;
  air_every(f.engine, f.events, 22, 50, t2, t2 + 6 * kMinute);
  CHECK(state_of(f.engine, "air-temp") == ComplianceState::out_of_standard);
  collect(f.events, f.engine.feed(kTemp, 23.4, v1::QUALITY_GOOD, t2 + 6 * kMinute));
  CHECK(state_of(f.engine, "air-temp") == ComplianceState::out_of_standard);
  collect(f.events, f.engine.feed(kTemp, 23.5, v1::QUALITY_GOOD, t2 + 6 * kMinute + 10 * kSecond));
  CHECK(state_of(f.engine, "air-temp") == ComplianceState::ok);
}

TEST_CASE("stale, bad and offline readings are not values: no data after 60 s", "[compliance]") {
  Fixture f;
  for (TimeMs t = kT0 + 10 * kSecond; t <= kT0 + 2 * kMinute; t += 10 * kSecond) {
    collect(f.events, f.engine.feed(kTemp, 30, v1::QUALITY_STALE, t));
    collect(f.events, f.engine.feed(kTemp, 30, v1::QUALITY_BAD, t));
    collect(f.events, f.engine.feed(kTemp, 30, v1::QUALITY_OFFLINE, t));
    collect(f.events, f.engine.feed(kHumidity, 50, v1::QUALITY_GOOD, t));
    if (t == kT0 + 60 * kSecond) {
      // Exactly 60 s without a good reading: not yet; and the stale 30 °C started no drift.
      CHECK(state_of(f.engine, "air-temp") == ComplianceState::ok);
    }
  }
  CHECK(state_of(f.engine, "air-temp") == ComplianceState::no_data);
  CHECK(f.engine.sense_state("lounge", v1::SENSE_TOUCH) == ComplianceState::no_data);
  const ComplianceEvent* change = nullptr;
  for (const auto& e : f.events) {
    if (e.kind == Kind::state_changed && e.item == "air-temp" && e.at > kT0) change = &e;
  }
  REQUIRE(change);
  CHECK(change->at == kT0 + 60 * kSecond);
  CHECK(change->from == ComplianceState::ok);
  CHECK(change->to == ComplianceState::no_data);
  CHECK(count(f.events, Kind::alarm_raised, "air-temp") == 0);
  // NaN from a broken decoder is not a value either.
  collect(f.events, f.engine.feed(kTemp, std::nan(""), v1::QUALITY_GOOD, kT0 + 3 * kMinute));
  CHECK(state_of(f.engine, "air-temp") == ComplianceState::no_data);
  collect(f.events, f.engine.feed(kTemp, 24, v1::QUALITY_GOOD, kT0 + 3 * kMinute));
  CHECK(state_of(f.engine, "air-temp") == ComplianceState::ok);
}

TEST_CASE("criteria apply only in their day parts", "[compliance]") {
  Fixture f;
  // humidity applies in "day" only; air-temp in every day part but "closed".
  collect(f.events, f.engine.set_day_part("evening", kT0 + kMinute));
  CHECK(state_of(f.engine, "humidity") == ComplianceState::not_applicable);
  CHECK(state_of(f.engine, "air-temp") == ComplianceState::ok);
  air_every(f.engine, f.events, 24, 80, kT0 + kMinute, kT0 + 30 * kMinute);
  CHECK(state_of(f.engine, "humidity") == ComplianceState::not_applicable);
  CHECK(count(f.events, Kind::alarm_raised, "humidity") == 0);

  // Back in "day" with 80 % RH: the tolerance (60 s) counts from the day part change.
  const TimeMs back = kT0 + 30 * kMinute;
  collect(f.events, f.engine.set_day_part("day", back));
  CHECK(state_of(f.engine, "humidity") == ComplianceState::drifting);
  air_every(f.engine, f.events, 24, 80, back, back + 61 * kSecond);  // last reading at back + 60 s
  CHECK(state_of(f.engine, "humidity") == ComplianceState::drifting);
  air_every(f.engine, f.events, 24, 80, back + 70 * kSecond, back + 71 * kSecond);
  CHECK(state_of(f.engine, "humidity") == ComplianceState::out_of_standard);
  REQUIRE(find(f.events, Kind::alarm_raised, "humidity"));
  CHECK(find(f.events, Kind::alarm_raised, "humidity")->start == back);

  // Closing clears the alarm: the standard does not apply to a closed venue.
  const TimeMs close = back + 2 * kMinute;
  auto events = collect(f.events, f.engine.set_day_part("closed", close));
  CHECK(state_of(f.engine, "humidity") == ComplianceState::not_applicable);
  CHECK(state_of(f.engine, "air-temp") == ComplianceState::not_applicable);
  const auto* cleared = find(events, Kind::alarm_cleared, "humidity");
  REQUIRE(cleared);
  CHECK_THAT(cleared->message, Catch::Contains("no longer applies"));
  CHECK(f.engine.sense_state("lounge", v1::SENSE_TOUCH) == ComplianceState::not_applicable);
}

TEST_CASE("checklist items: re-confirm every N minutes, once per day part, who and when", "[compliance]") {
  Fixture f;
  auto ok = f.engine.confirm("lounge", "tea", "anna", kT0);
  REQUIRE(ok.ok());
  REQUIRE(find(ok->events, Kind::checklist_confirmed, "tea"));
  CHECK(find(ok->events, Kind::checklist_confirmed, "tea")->who == "anna");
  air_every(f.engine, f.events, 24, 50, kT0, kT0 + 3 * kHour, kMinute / 2);
  // Due at 09:00; at 09:00 exactly still ok, overdue after.
  CHECK(count(f.events, Kind::alarm_raised, "tea") == 1);
  const auto* raised = find(f.events, Kind::alarm_raised, "tea");
  CHECK(raised->start == kT0 + kHour);
  CHECK(f.engine.sense_state("lounge", v1::SENSE_TASTE) == ComplianceState::out_of_standard);
  REQUIRE(f.engine.checklist_out_of_standard().size() == 1);
  CHECK(f.engine.checklist_out_of_standard()[0].id == "tea");
  CHECK(*f.engine.checklist_out_of_standard()[0].due_at == kT0 + kHour);
  auto late = f.engine.confirm("lounge", "tea", "bo", kT0 + 3 * kHour);
  REQUIRE(late.ok());
  const auto* cleared = find(late->events, Kind::alarm_cleared, "tea");
  REQUIRE(cleared);
  CHECK(cleared->duration_ms == 2 * kHour);
  CHECK(f.engine.sense_state("lounge", v1::SENSE_TASTE) == ComplianceState::ok);
  CHECK(f.engine.checklist_out_of_standard().empty());
  CHECK(f.engine.checklist()[0].confirmed_by == "bo");
  CHECK(*f.engine.checklist()[0].due_at == kT0 + 4 * kHour);

  // towels: once per evening, 30 minutes' grace.
  const TimeMs evening = kT0 + 10 * kHour;
  collect(f.events, f.engine.set_day_part("evening", evening));
  CHECK(state_of(f.engine, "towels") == ComplianceState::ok);
  f.engine.advance_to(evening + 30 * kMinute);
  CHECK(state_of(f.engine, "towels") == ComplianceState::ok);
  auto events = collect(f.events, f.engine.advance_to(evening + 40 * kMinute));
  CHECK(state_of(f.engine, "towels") == ComplianceState::out_of_standard);
  auto c = f.engine.confirm("lounge", "towels", "cem", evening + 40 * kMinute);
  REQUIRE(c.ok());
  CHECK(state_of(f.engine, "towels") == ComplianceState::ok);
  f.engine.advance_to(evening + 5 * kHour);
  CHECK(state_of(f.engine, "towels") == ComplianceState::ok);  // once per day part: done

  auto unknown = f.engine.confirm("lounge", "coffee", "anna", evening);
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("tea") && Catch::Contains("towels"));
  CHECK_FALSE(f.engine.confirm("sauna", "tea", "anna", evening).ok());
}

TEST_CASE("daily compliance index: in standard over applicable time with data", "[compliance]") {
  auto venue = make_test_venue();
  UtcDayCalendar calendar;
  const TimeMs midnight = utc(2026, 6, 11);
  const TimeMs open = midnight + 8 * kHour;
  const TimeMs close = midnight + 20 * kHour;
  // Touch: 10:00-11:00 at 26 °C (out of standard from 10:05, cleared at 11:00 by 24 °C); sensor
  // offline 12:00-12:30 (last reading 11:59:30: no data from 12:00:30). Taste: tea confirmed at 08:00
  // and 09:00 (exactly when due), then 10:30 (overdue 10:00-10:30), then every 50 minutes.
  ComplianceEngine engine(venue, calendar, midnight);
  engine.set_day_part("closed", midnight);
  engine.set_day_part("day", open);
  std::vector<TimeMs> confirms = {open, open + kHour, open + 2 * kHour + 30 * kMinute};
  for (TimeMs t = confirms.back() + 50 * kMinute; t < close; t += 50 * kMinute) confirms.push_back(t);
  std::size_t next_confirm = 0;
  for (TimeMs t = open; t < close; t += 30 * kSecond) {
    while (next_confirm < confirms.size() && confirms[next_confirm] <= t) {
      REQUIRE(engine.confirm("lounge", "tea", "anna", confirms[next_confirm++]).ok());
    }
    const bool offline = t >= open + 4 * kHour && t < open + 4 * kHour + 30 * kMinute;
    if (offline) continue;
    const double temp = (t >= open + 2 * kHour && t < open + 3 * kHour) ? 26 : 24;
    engine.feed(kTemp, temp, v1::QUALITY_GOOD, t);
    engine.feed(kHumidity, 50, v1::QUALITY_GOOD, t);
  }
  engine.set_day_part("closed", close);
  auto rolled = engine.advance_to(midnight + 24 * kHour + kMinute);
  REQUIRE(rolled.finished_days.size() == 2);  // lounge touch and taste

  const DailyIndex touch = index_of(rolled.finished_days, "lounge", v1::SENSE_TOUCH);
  CHECK(touch.day == "2026-06-11");
  CHECK(touch.out_of_standard_ms == 55 * kMinute);
  CHECK(touch.no_data_ms == 29 * kMinute + 30 * kSecond);
  CHECK(touch.in_standard_ms == 12 * kHour - 55 * kMinute - touch.no_data_ms);
  CHECK(*touch.percent() == Approx(100.0 * 635.5 / 690.5));

  const DailyIndex taste = index_of(rolled.finished_days, "lounge", v1::SENSE_TASTE);
  CHECK(taste.out_of_standard_ms == 30 * kMinute);
  CHECK(taste.in_standard_ms == 11 * kHour + 30 * kMinute);
  CHECK(taste.no_data_ms == 0);
  CHECK(*taste.percent() == Approx(100.0 * 690 / 720));

  // The new day starts empty; a day with nothing applicable has no index, not 0 % or 100 %.
  const DailyIndex next = index_of(engine.today(), "lounge", v1::SENSE_TOUCH);
  CHECK(next.day == "2026-06-12");
  CHECK(next.in_standard_ms == 0);
  CHECK_FALSE(next.percent());
}

TEST_CASE("the index is kept per local day of the venue's time zone", "[compliance]") {
  auto venue = make_test_venue();
  auto schedule = Schedule::create(venue);
  REQUIRE(schedule.ok());
  const TimeMs start = utc(2026, 10, 24, 20, 0);  // 22:00 CEST
  ComplianceEngine engine(venue, *schedule, start);
  engine.set_day_part("day", start);
  for (TimeMs t = start; t < utc(2026, 10, 25, 1, 0); t += 30 * kSecond) {
    engine.feed(kTemp, 24, v1::QUALITY_GOOD, t);
    engine.feed(kHumidity, 50, v1::QUALITY_GOOD, t);
  }
  const auto days = engine.advance_to(utc(2026, 10, 25, 1, 0)).finished_days;
  CHECK(days.empty());  // rolled earlier, inside the feeds
  const DailyIndex today = index_of(engine.today(), "lounge", v1::SENSE_TOUCH);
  CHECK(today.day == "2026-10-25");
  CHECK(today.in_standard_ms == 3 * kHour);  // local midnight was 22:00 UTC
}

TEST_CASE("compliance state survives a restart: serialize, restore, same results", "[compliance]") {
  Fixture a;
  REQUIRE(a.engine.confirm("lounge", "tea", "anna", kT0).ok());
  air_every(a.engine, a.events, 24, 50, kT0, kT0 + 10 * kMinute);
  air_every(a.engine, a.events, 26, 50, kT0 + 10 * kMinute, kT0 + 20 * kMinute);          // alarm open
  air_every(a.engine, a.events, 26, 70, kT0 + 20 * kMinute, kT0 + 20 * kMinute + 31 * kSecond);  // drifting
  REQUIRE(state_of(a.engine, "air-temp") == ComplianceState::out_of_standard);
  REQUIRE(state_of(a.engine, "humidity") == ComplianceState::drifting);

  const ComplianceSnapshot snap = a.engine.snapshot();
  const std::string text = serialize(snap);
  auto parsed = parse_compliance_snapshot(text);
  REQUIRE(parsed.ok());
  CHECK(*parsed == snap);
  CHECK(serialize(*parsed) == text);

  auto venue = make_test_venue();
  UtcDayCalendar calendar;
  ComplianceEngine b(venue, calendar, 0);
  auto notes = b.restore(*parsed);
  REQUIRE(notes.ok());
  CHECK(notes->empty());
  CHECK(b.snapshot() == snap);

  // Both engines see the same future and must say the same things.
  auto run = [](ComplianceEngine& e) {
    std::vector<ComplianceEvent> ev;
    const TimeMs t = kT0 + 20 * kMinute + 40 * kSecond;
    // humidity's 60 s window was pending across the restart; 24.4 clears the temperature alarm.
    air_every(e, ev, 24.4, 70, t, t + 2 * kMinute);
    collect(ev, e.advance_to(kT0 + 2 * kHour));           // tea overdue at 09:00, data lost after 60 s
    return std::make_pair(ev, e.snapshot());
  };
  auto [events_a, end_a] = run(a.engine);
  auto [events_b, end_b] = run(b);
  CHECK(end_a == end_b);
  REQUIRE(events_a.size() == events_b.size());
  for (std::size_t i = 0; i < events_a.size(); ++i) {
    CHECK(events_a[i].kind == events_b[i].kind);
    CHECK(events_a[i].at == events_b[i].at);
    CHECK(events_a[i].message == events_b[i].message);
  }
  const auto* cleared = find(events_b, Kind::alarm_cleared, "air-temp");
  REQUIRE(cleared);
  CHECK(cleared->start == kT0 + 10 * kMinute);  // the alarm's start survived the restart
  CHECK(find(events_b, Kind::alarm_raised, "humidity")->start == kT0 + 20 * kMinute);
  CHECK(find(events_b, Kind::alarm_raised, "tea"));
}

TEST_CASE("damaged or foreign compliance state is refused with a clear message", "[compliance]") {
  Fixture f;
  const std::string text = serialize(f.engine.snapshot());
  auto truncated = parse_compliance_snapshot(text.substr(0, text.size() - 4));
  REQUIRE_FALSE(truncated.ok());
  CHECK_THAT(truncated.error().message, Catch::Contains("truncated"));
  auto foreign = parse_compliance_snapshot("hello\n");
  REQUIRE_FALSE(foreign.ok());
  CHECK_THAT(foreign.error().message, Catch::Contains("not an atmo compliance state"));
  auto newer = parse_compliance_snapshot("atmo-compliance 99\nend\n");
  REQUIRE_FALSE(newer.ok());
  CHECK_THAT(newer.error().message, Catch::Contains("newer"));
  std::string bad = text;
  bad.replace(bad.find("criterion"), 9, "criterium");
  auto unknown = parse_compliance_snapshot(bad);
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("line 3"));
  CHECK_FALSE(parse_compliance_snapshot("").ok());

  // Names with spaces and percent signs survive.
  ComplianceSnapshot s;
  s.day_part = "late night 100%";
  ComplianceSnapshot::Checklist c;
  c.zone = "tea";
  c.id = "x";
  c.confirmed_by = "Anna Maria\tK. ";
  s.checklist.push_back(c);
  auto round = parse_compliance_snapshot(serialize(s));
  REQUIRE(round.ok());
  CHECK(*round == s);
}

TEST_CASE("downtime after a restart counts as no data once the no-data timeout passes", "[compliance]") {
  Fixture a;
  air_every(a.engine, a.events, 24, 50, kT0, kT0 + 5 * kMinute);  // last reading at 08:04:50
  const std::string saved = serialize(a.engine.snapshot());

  auto venue = make_test_venue();
  UtcDayCalendar calendar;
  ComplianceEngine b(venue, calendar, kT0 + 2 * kHour);  // the process came back later
  auto parsed = parse_compliance_snapshot(saved);
  REQUIRE(parsed.ok());
  REQUIRE(b.restore(*parsed).ok());
  CHECK(b.now() == kT0 + 4 * kMinute + 50 * kSecond);
  auto update = b.advance_to(kT0 + 14 * kMinute + 50 * kSecond);
  CHECK(update.finished_days.empty());
  const DailyIndex touch = index_of(b.today(), "lounge", v1::SENSE_TOUCH);
  CHECK(touch.in_standard_ms == 5 * kMinute + 50 * kSecond);  // up to 60 s after the last reading
  CHECK(touch.no_data_ms == 9 * kMinute);
  CHECK(touch.out_of_standard_ms == 0);
  const DailyIndex taste = index_of(b.today(), "lounge", v1::SENSE_TASTE);
  CHECK(taste.in_standard_ms == 14 * kMinute + 50 * kSecond);  // tea is due only at 09:00
  CHECK(state_of(b, "air-temp") == ComplianceState::no_data);
}
