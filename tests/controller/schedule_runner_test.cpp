#include <catch2/catch.hpp>

#include <chrono>

#include "controller/schedule_runner.hpp"
#include "demo_fixture.hpp"

using namespace atmo;
using atmo::test::DemoRig;
using controller::Hold;

namespace {

struct RunnerRig : DemoRig {
  controller::ScheduleRunner runner{venue, clock, schedule, scenes, events};

  /// Ticks the runner every `step` of simulated time up to `until`.
  void run_until(TimeMs until, TimeMs step = 30'000) {
    while (clock.now_ms() < until) {
      clock.set(std::min(until, clock.now_ms() + step));
      runner.tick();
      scenes.tick();
    }
  }
  std::string scene_of(const std::string& zone) const {
    const auto* z = scenes.zone_state(zone);
    return z ? z->scene : "";
  }
  std::vector<std::string> applied() const {
    std::vector<std::string> out;
    for (const auto& e : log) {
      if (e.kind == "schedule.applied") out.push_back(e.subject);
    }
    return out;
  }
};

}  // namespace

TEST_CASE("at start-up the schedule catches up with what should be in force now", "[schedule_runner]") {
  RunnerRig rig;
  rig.clock.set(rig.local(2026, 11, 23, 7, 0));  // Monday 07:00, before the first step
  rig.runner.tick();
  CHECK(rig.applied() == std::vector<std::string>{"closed"});  // Sunday's 22:00 step carries over
  CHECK(rig.scene_of("lounge") == "closed");
  CHECK(rig.log.back().message.find("catch-up at start-up") != std::string::npos);
}

TEST_CASE("a whole simulated day: each step fires once, in order", "[schedule_runner]") {
  RunnerRig rig;
  const auto wall_start = std::chrono::steady_clock::now();
  rig.clock.set(rig.local(2026, 11, 23, 0, 0));
  rig.runner.tick();
  rig.run_until(rig.local(2026, 11, 24, 0, 0));
  CHECK(rig.applied() == std::vector<std::string>{"closed", "cleaning", "opening", "day", "evening", "closed"});
  CHECK(rig.scene_of("tea") == "closed");
  CHECK(rig.runner.day_part() == "closed");
  // Informational: the point is that it takes milliseconds, not a day.
  WARN("simulated day took " << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - wall_start).count() << " ms");
}

TEST_CASE("a holiday exception runs its own program instead of the weekday's", "[schedule_runner]") {
  RunnerRig rig;
  rig.clock.set(rig.local(2026, 12, 24, 9, 30));  // Thursday, Christmas Eve: holiday program
  rig.runner.tick();
  CHECK(rig.runner.day_part() == "closed");  // holiday opens later: 10:00 cleaning
  rig.run_until(rig.local(2026, 12, 24, 11, 45));
  CHECK(rig.runner.day_part() == "day");    // 11:30 in the holiday program
  const auto active = rig.runner.active();
  REQUIRE(active);
  CHECK(active->program == "holiday");
}

TEST_CASE("a manual choice holds until the next scheduled change", "[schedule_runner][hold]") {
  RunnerRig rig;
  rig.clock.set(rig.local(2026, 11, 23, 12, 0));
  rig.runner.tick();
  REQUIRE(rig.scene_of("lounge") == "day");
  REQUIRE(rig.scenes.apply_zone_scene("lounge", "evening", {"user:anna", "guests asked"}, {Hold::Kind::until_next_change, 0, 0}).ok());
  rig.run_until(rig.local(2026, 11, 23, 17, 59));
  CHECK(rig.scene_of("lounge") == "evening");  // held: nothing scheduled in between
  rig.run_until(rig.local(2026, 11, 23, 21, 31));
  CHECK(rig.scene_of("lounge") == "closed");   // 18:00 released it, 21:30 applied
  CHECK(rig.scenes.zone_state("lounge")->hold.kind == Hold::Kind::none);
}

TEST_CASE("a manual choice held until a time keeps its zone out of the schedule until then", "[schedule_runner][hold]") {
  RunnerRig rig;
  rig.clock.set(rig.local(2026, 11, 23, 17, 30));
  rig.runner.tick();
  REQUIRE(rig.scenes.apply_zone_scene("treatment-1", "massage", {"user:olga", "client session"},
                                      {Hold::Kind::until_time, rig.local(2026, 11, 23, 18, 30), 0}).ok());
  rig.run_until(rig.local(2026, 11, 23, 18, 5));
  CHECK(rig.scene_of("treatment-1") == "massage");
  CHECK(rig.scene_of("treatment-2") == "evening");
  CHECK(rig.log.back().details_json.find("treatment-1") != std::string::npos);  // the 18:00 event names it
  rig.run_until(rig.local(2026, 11, 23, 18, 31));
  CHECK(rig.scene_of("treatment-1") == "evening");  // back to the schedule when the hold ended
}

TEST_CASE("a change due during a fire alarm is applied when the alarm clears", "[schedule_runner][safety]") {
  RunnerRig rig;
  rig.clock.set(rig.local(2026, 11, 23, 17, 50));
  rig.runner.tick();
  rig.scenes.set_fire_alarm(true, "test");
  rig.run_until(rig.local(2026, 11, 23, 18, 10));
  CHECK(rig.count("schedule.deferred") == 1);  // said once, not every second
  CHECK(rig.scene_of("lounge") == "day");
  rig.scenes.set_fire_alarm(false, "test");
  rig.run_until(rig.local(2026, 11, 23, 18, 11));
  CHECK(rig.scene_of("lounge") == "evening");
}

TEST_CASE("a clock jump is caught up like a start-up", "[schedule_runner]") {
  RunnerRig rig;
  rig.clock.set(rig.local(2026, 11, 23, 10, 0));
  rig.runner.tick();
  REQUIRE(rig.runner.day_part() == "day");
  rig.clock.set(rig.local(2026, 11, 23, 19, 0));  // NTP fixed a clock that was 9 h behind
  rig.runner.tick();
  CHECK(rig.scene_of("lounge") == "evening");
  rig.clock.set(rig.local(2026, 11, 23, 9, 30));  // and back again
  rig.runner.tick();
  CHECK(rig.scene_of("lounge") == "day");
}

TEST_CASE("a fast venue clock: each change applies once, stamped at its own time, even when a tick steps over it",
          "[schedule_runner][venue_clock]") {
  RunnerRig rig;
  // Ticks two venue hours apart (as at a high --rate): 08:30 opening and 09:00 day fall in one.
  constexpr TimeMs kStep = 2 * 3'600'000;
  rig.runner.set_tick_span(kStep);
  rig.clock.set(rig.local(2026, 11, 23, 0, 0));
  rig.runner.tick();
  const auto first = rig.log.size();
  rig.run_until(rig.local(2026, 11, 24, 0, 0), kStep);
  std::vector<std::pair<TimeMs, std::string>> applied;
  for (std::size_t i = first; i < rig.log.size(); ++i) {
    const auto& e = rig.log[i];
    if (e.kind == "schedule.applied") applied.emplace_back(e.time_ms, e.subject);
    if (e.kind == "scene.applied") {
      // Every zone's scene change carries the time of the step that made it.
      CHECK(e.time_ms % 60'000 == 0);
    }
  }
  const std::vector<std::pair<TimeMs, std::string>> expected{
      {rig.local(2026, 11, 23, 7, 30), "cleaning"}, {rig.local(2026, 11, 23, 8, 30), "opening"},
      {rig.local(2026, 11, 23, 9, 0), "day"},       {rig.local(2026, 11, 23, 18, 0), "evening"},
      {rig.local(2026, 11, 23, 21, 30), "closed"}};
  CHECK(applied == expected);
  CHECK(rig.scene_of("lounge") == "closed");
}
