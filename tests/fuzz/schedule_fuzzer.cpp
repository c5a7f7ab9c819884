// libFuzzer target: the venue's time keeping. The input chooses a time zone (with and without DST,
// half-hour offsets), day programs whose steps are free text ("HH:MM" or not), weekly rules and
// date exceptions with free-text dates, and instants to ask about. Parsed and resolved the way the
// config validator and the scheduler do it. Properties: no crash or sanitizer report; the two
// "HH:MM" parsers and the two date parsers agree with each other; and the schedule's answers are
// consistent: the active change is not in the future, the next one is in the future, a day's
// changes come in order and belong to it, and a local date starts on itself.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "config/source_map.hpp"
#include "config/venue_loader.hpp"
#include "config/venue_validator.hpp"
#include "zones/local_time.hpp"
#include "zones/schedule.hpp"
#include "zones/venue.hpp"

namespace {

using namespace atmo;

void check(bool ok) {
  if (!ok) std::abort();
}

const char* const kZones[] = {"UTC", "Europe/Riga", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu",
                              "Pacific/Chatham", "America/Santiago", "Europe/London", "Asia/Tokyo"};
const char* const kScenes[] = {"a", "b", "c", "missing"};
const char* const kPrograms[] = {"p0", "p1", "p2", "missing"};

/// Mostly well-formed text, sometimes anything: the parsers must refuse the rest cleanly.
std::string clock_text(FuzzedDataProvider& in) {
  if (in.ConsumeBool()) return in.ConsumeRandomLengthString(8);
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02u:%02u", in.ConsumeIntegralInRange<unsigned>(0, 25),
                in.ConsumeIntegralInRange<unsigned>(0, 61));
  return buf;
}

std::string date_text(FuzzedDataProvider& in) {
  if (in.ConsumeBool()) return in.ConsumeRandomLengthString(12);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", in.ConsumeIntegralInRange<unsigned>(1969, 2101),
                in.ConsumeIntegralInRange<unsigned>(0, 13), in.ConsumeIntegralInRange<unsigned>(0, 32));
  return buf;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);

  // The two "HH:MM" parsers (validator and scheduler) accept and mean the same.
  const std::string hhmm = clock_text(in);
  const int minutes = config::parse_clock_time(hhmm);
  const auto parsed = zones::parse_hhmm(hhmm);
  check(parsed.ok() == (minutes >= 0));
  if (parsed.ok()) {
    check(*parsed == minutes);
    check(zones::format_hhmm(*parsed) == hhmm);
  }
  // And the two date parsers.
  const std::string day = date_text(in);
  const auto days = config::parse_date(day);
  const auto local = zones::LocalDate::parse(day);
  check(local.ok() == days.has_value());
  if (local.ok()) check(local->to_string() == day);

  v1::Venue venue;
  venue.set_id("fuzz");
  venue.set_time_zone(in.PickValueInArray(kZones));
  auto* zone = venue.add_zones();
  zone->set_id("z");
  for (const char* s : {"a", "b", "c"}) {
    zone->add_scenes()->set_id(s);
    auto* vs = venue.add_venue_scenes();
    vs->set_id(s);
    vs->set_same_name_in_every_zone(true);
  }
  for (int p = 0; p < 3; ++p) {
    auto* program = venue.add_programs();
    program->set_id("p" + std::to_string(p));
    const auto steps = in.ConsumeIntegralInRange<int>(0, 6);
    for (int s = 0; s < steps; ++s) {
      auto* step = program->add_steps();
      step->set_at(clock_text(in));
      step->set_venue_scene(in.PickValueInArray(kScenes));
    }
  }
  const auto rules = in.ConsumeIntegralInRange<int>(0, 4);
  for (int r = 0; r < rules; ++r) {
    auto* rule = venue.add_week();
    const auto n = in.ConsumeIntegralInRange<int>(0, 7);
    for (int d = 0; d < n; ++d) rule->add_days(static_cast<v1::Weekday>(in.ConsumeIntegralInRange<int>(0, 8)));
    rule->set_program(in.PickValueInArray(kPrograms));
  }
  const auto exceptions = in.ConsumeIntegralInRange<int>(0, 4);
  for (int e = 0; e < exceptions; ++e) {
    auto* ex = venue.add_exceptions();
    ex->set_date(date_text(in));
    if (in.ConsumeBool()) ex->set_until(date_text(in));
    ex->set_program(in.PickValueInArray(kPrograms));
  }

  std::vector<config::Diagnostic> errors;
  config::SourceMap sources;
  config::validate_venue(venue, sources, errors);
  const bool valid = errors.empty();
  std::shared_ptr<const zones::Venue> model;
  try {
    model = zones::Venue::create(venue);
  } catch (const std::logic_error&) {
    check(!valid);  // only a venue the validator refused may fail to index
    return 0;
  }
  auto schedule = zones::Schedule::create(model);
  if (valid) check(schedule.ok());  // what `atmo config check` accepts, the daemon can schedule
  if (!schedule) return 0;

  for (int q = 0; q < 4 && in.remaining_bytes() > 0; ++q) {
    // 1971 .. 2099, where the time zone database has rules.
    const TimeMs t = in.ConsumeIntegralInRange<TimeMs>(31'536'000'000LL, 4'070'908'800'000LL);
    if (auto active = schedule->active_at(t)) check(active->at <= t);
    if (auto next = schedule->next_change_after(t)) check(next->at > t);
    const auto date = schedule->local_date(t);
    const TimeMs start = schedule->start_of_day(date);
    check(start <= t);
    check(schedule->local_date(start) == date);
    check(schedule->next_day_start(t) > t);
    TimeMs last = start - 1;
    for (const auto& c : schedule->changes_on(date)) {
      check(c.at >= last);  // two steps may fire together: 02:30 moves to 03:00 on a spring-forward day
      check(c.date == date);
      last = c.at;
    }
    for (const auto& c : schedule->upcoming(t, 2)) check(c.at > t);
  }
  return 0;
}
