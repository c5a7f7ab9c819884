#include <catch2/catch.hpp>

#include <cmath>

#include "demo_fixture.hpp"
#include "zones/fade.hpp"

using namespace atmo;
using atmo::test::DemoRig;

namespace {
const zones::ChangeCause kTablet{"user:anna", "manual choice on the tablet"};

/// Monday noon, the lounge in "opening": cct 2700, as its "day" has it. Returns the time.
TimeMs start_lounge_opening(DemoRig& rig) {
  const TimeMs t0 = rig.local(2026, 11, 23, 12, 0);
  rig.clock.set(t0);
  REQUIRE(rig.scenes.apply_zone_scene("lounge", "opening", kTablet).ok());
  return t0;
}

/// Monday 19:00, the whole venue in the evening scene as the schedule puts it.
void start_weekday_evening(DemoRig& rig) {
  rig.clock.set(rig.local(2026, 11, 23, 19, 0));
  REQUIRE(rig.scenes.apply_venue_scene("evening", {"schedule", "program weekday"}).ok());
}
}

TEST_CASE("a scene fades its outputs along their curves", "[scene_engine]") {
  DemoRig rig;
  const TimeMs t0 = rig.local(2026, 11, 23, 12, 0);  // a Monday
  rig.clock.set(t0);
  REQUIRE(rig.scenes.apply_zone_scene("lounge", "day", kTablet).ok());
  // The first scene after start-up has nothing to fade from: outputs go straight to the target.
  CHECK(rig.outputs.at("lounge.light.level") == Approx(35));
  CHECK(rig.outputs.at("lounge.light.cct") == Approx(2700));

  REQUIRE(rig.scenes.apply_zone_scene("lounge", "evening", kTablet).ok());  // fade 15 min to 20 %, 2200 K
  CHECK(rig.outputs.at("lounge.light.level") == Approx(35));                  // nothing jumps
  rig.clock.set(t0 + 450'000);                                                // halfway
  rig.scenes.tick();
  const double mid_lightness = (zones::lightness_from_level(35) + zones::lightness_from_level(20)) / 2;
  CHECK(rig.outputs.at("lounge.light.level") == Approx(zones::level_from_lightness(mid_lightness)).margin(0.05));
  CHECK(rig.outputs.at("lounge.light.cct") == Approx(1e6 / ((1e6 / 2700 + 1e6 / 2200) / 2)).margin(1));
  rig.clock.set(t0 + 900'000);
  rig.scenes.tick();
  CHECK(rig.outputs.at("lounge.light.level") == Approx(20));
  CHECK(rig.outputs.at("lounge.light.cct") == Approx(2200));
  // The crossfade of the sound is handed to the audio engine with the scene's fade time.
  REQUIRE(rig.sound.plans.count("lounge"));
  CHECK(rig.sound.plans["lounge"].soundscape == "bowls");
  CHECK(rig.sound.plans["lounge"].fade_ms == 900'000);
}

TEST_CASE("a new scene mid-fade starts from where the outputs are", "[scene_engine]") {
  DemoRig rig;
  const TimeMs t0 = rig.local(2026, 11, 23, 12, 0);
  rig.clock.set(t0);
  REQUIRE(rig.scenes.apply_zone_scene("reception", "closed", kTablet).ok());   // 5 %
  REQUIRE(rig.scenes.apply_zone_scene("reception", "opening", kTablet).ok());  // to 75 % over 60 s
  rig.clock.set(t0 + 30'000);
  rig.scenes.tick();
  const double halfway = rig.outputs.at("reception.light.level");
  CHECK(halfway > 5);
  CHECK(halfway < 75);
  REQUIRE(rig.scenes.apply_zone_scene("reception", "cleaning", kTablet).ok());  // to 100 % over 3 s
  CHECK(rig.outputs.at("reception.light.level") == Approx(halfway));            // no jump
  rig.clock.set(t0 + 33'000);
  rig.scenes.tick();
  CHECK(rig.outputs.at("reception.light.level") == Approx(100));
}

TEST_CASE("the fire alarm overrides every zone at once and refuses scene changes", "[scene_engine][safety]") {
  DemoRig rig;
  start_weekday_evening(rig);
  CHECK(rig.outputs.rewrites.empty());
  rig.scenes.set_fire_alarm(true, "input entrance.fire.alarm");
  for (const auto& p : rig.venue->points()) {
    if (p.disabled || !p.output()) continue;
    INFO(p.id);
    if (p.quantity() == v1::QUANTITY_LIGHT_LEVEL) CHECK(rig.outputs.at(p.id) == 100);
    if (p.quantity() == v1::QUANTITY_SCENT_ENABLE) CHECK(rig.outputs.at(p.id) == 0);
    // Sent again even where the scene had already sent that value: the device may not hold it.
    if (p.quantity() == v1::QUANTITY_LIGHT_LEVEL || p.quantity() == v1::QUANTITY_SCENT_ENABLE) {
      CHECK(rig.outputs.rewrites[p.id] == 1);
    }
  }
  for (const auto& z : rig.venue->zones()) {
    INFO(z.id());
    REQUIRE(rig.sound.plans.count(z.id()));
    CHECK(rig.sound.plans[z.id()].muted);
  }
  auto refused = rig.scenes.apply_zone_scene("lounge", "day", kTablet);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "the fire alarm is active: scene changes are refused until it clears");
  CHECK(rig.count("safety.fire_alarm.raised") == 1);

  rig.scenes.set_fire_alarm(false, "input entrance.fire.alarm");
  rig.clock.advance(1'000'000);  // longer than any fade
  rig.scenes.tick();
  CHECK(rig.outputs.at("lounge.light.level") == Approx(20));  // back to the evening scene
  CHECK(rig.outputs.at("lounge.scent.enabled") == 1);
  CHECK_FALSE(rig.sound.plans["lounge"].muted);
  CHECK(rig.count("safety.fire_alarm.cleared") == 1);
}

TEST_CASE("a scent-free window turns the diffuser off by the clock and back on after", "[scene_engine][safety]") {
  DemoRig rig;
  // treatment-2 is scent-free on Tuesdays 12:00-14:00. 2026-11-24 is a Tuesday.
  rig.clock.set(rig.local(2026, 11, 24, 11, 59));
  REQUIRE(rig.scenes.apply_zone_scene("treatment-2", "day", kTablet).ok());
  CHECK(rig.outputs.at("treatment-2.scent.enabled") == 1);
  rig.clock.set(rig.local(2026, 11, 24, 12, 0));
  rig.scenes.tick();
  CHECK(rig.outputs.at("treatment-2.scent.enabled") == 0);
  rig.clock.set(rig.local(2026, 11, 24, 14, 1));
  rig.scenes.tick();
  CHECK(rig.outputs.at("treatment-2.scent.enabled") == 1);
}

TEST_CASE("unknown zones and scenes are refused with the name that was wrong", "[scene_engine]") {
  DemoRig rig;
  rig.clock.set(rig.local(2026, 11, 23, 12, 0));
  CHECK(rig.scenes.apply_zone_scene("sauna", "day", kTablet).error().message == "unknown zone 'sauna'");
  CHECK(rig.scenes.apply_zone_scene("lounge", "massage", kTablet).error().message == "zone 'lounge' has no scene 'massage'");
  CHECK(rig.scenes.apply_venue_scene("party", kTablet).error().message == "unknown venue scene 'party'");
  CHECK(rig.outputs.values.empty());  // nothing moved
}

TEST_CASE("scene state survives a restart through its snapshot", "[scene_engine][restart]") {
  DemoRig before;
  before.clock.set(before.local(2026, 11, 23, 15, 0));
  REQUIRE(before.scenes.apply_zone_scene("treatment-1", "massage", kTablet,
                                         {controller::Hold::Kind::until_time, before.local(2026, 11, 23, 16, 0), 0})
              .ok());
  REQUIRE(before.scenes.apply_zone_scene("lounge", "evening", kTablet, {controller::Hold::Kind::until_next_change, 0, 0}).ok());
  const std::string saved = before.scenes.snapshot_json();

  DemoRig after;
  after.clock.set(before.clock.now_ms() + 5'000);
  REQUIRE(after.scenes.restore_json(saved).ok());
  const auto* t1 = after.scenes.zone_state("treatment-1");
  REQUIRE(t1);
  CHECK(t1->scene == "massage");
  CHECK(t1->cause.who == "user:anna");
  CHECK(t1->hold.kind == controller::Hold::Kind::until_time);
  CHECK(t1->hold.until == before.local(2026, 11, 23, 16, 0));
  CHECK(after.scenes.zone_state("lounge")->hold.kind == controller::Hold::Kind::until_next_change);
  CHECK(after.outputs.at("treatment-1.light.level") == Approx(20));  // outputs re-driven at once
  CHECK_FALSE(after.scenes.restore_json("{not json").ok());
}

// ---------------------------------------------------------------------------------------------
// Diagnostic point writes: through the engine, under the safety layer, restored by a scene change
// ---------------------------------------------------------------------------------------------

TEST_CASE("a diagnostic write is restored by the next scene change even when the scene asks the same value",
          "[scene_engine][override]") {
  // The integrator's finding: cct written to 2500 by hand, then a scene whose cct (2700) is the one
  // the previous scene had; the engine's own last-sent value had not changed, so nothing was sent.
  DemoRig rig;
  const TimeMs t0 = start_lounge_opening(rig);
  const zones::Point& cct = *rig.venue->point("lounge.light.cct");
  REQUIRE_FALSE(rig.scenes.write_manual(cct, 2500, "technician"));
  CHECK(rig.outputs.at("lounge.light.cct") == 2500);
  CHECK(rig.outputs.rewrites["lounge.light.cct"] == 1);  // sent even if the bus believes it is there
  REQUIRE(rig.scenes.overrides().count("lounge.light.cct"));
  CHECK(rig.scenes.overrides().at("lounge.light.cct").who == "technician");
  CHECK(rig.count("output.override") == 1);

  // Ticks and fades do not undo the write: it holds until the scene changes.
  rig.clock.set(t0 + 60'000);
  rig.scenes.tick();
  CHECK(rig.outputs.at("lounge.light.cct") == 2500);

  REQUIRE(rig.scenes.apply_zone_scene("lounge", "day", kTablet).ok());  // cct 2700 again, fade 60 s
  CHECK(rig.scenes.overrides().empty());
  CHECK(rig.count("output.override_ended") == 1);
  rig.clock.set(t0 + 120'000);
  rig.scenes.tick();
  CHECK(rig.outputs.at("lounge.light.cct") == Approx(2700));
}

TEST_CASE("during the fire alarm no diagnostic write moves a light or a diffuser", "[scene_engine][safety][override]") {
  DemoRig rig;
  start_weekday_evening(rig);
  rig.scenes.set_fire_alarm(true, "input entrance.fire.alarm");
  const auto writes_before = rig.outputs.writes;
  for (const char* id : {"hammam.light.level", "hammam.light.red", "lounge.scent.enabled", "lounge.scent.intensity"}) {
    INFO(id);
    const zones::Point* p = rig.venue->point(id);
    REQUIRE(p);
    const double unsafe = p->quantity() == v1::QUANTITY_SCENT_ENABLE ? 1 : (p->quantity() == v1::QUANTITY_SCENT_INTENSITY ? 100 : 0);
    auto refused = rig.scenes.write_manual(*p, unsafe, "technician");
    REQUIRE(refused);
    CHECK_THAT(refused->message, Catch::Contains("fire alarm"));
    CHECK(refused->by_safety_rule);  // a rule in force, not a bad value: the API answers 409
  }
  CHECK(rig.outputs.writes == writes_before);  // nothing reached the outputs
  CHECK(rig.scenes.overrides().empty());
  // The safe value itself, and an output the override leaves alone, may still be written.
  CHECK_FALSE(rig.scenes.write_manual(*rig.venue->point("hammam.light.level"), 100, "technician"));
  CHECK_FALSE(rig.scenes.write_manual(*rig.venue->point("lounge.climate.setpoint"), 23, "technician"));
}

TEST_CASE("the fire alarm ends every override of a safety output and sends the safe value", "[scene_engine][safety][override]") {
  DemoRig rig;
  start_weekday_evening(rig);
  REQUIRE_FALSE(rig.scenes.write_manual(*rig.venue->point("hammam.light.level"), 0, "technician"));
  REQUIRE_FALSE(rig.scenes.write_manual(*rig.venue->point("lounge.scent.enabled"), 1, "technician"));
  REQUIRE_FALSE(rig.scenes.write_manual(*rig.venue->point("lounge.climate.setpoint"), 23, "technician"));
  rig.scenes.set_fire_alarm(true, "input entrance.fire.alarm");
  CHECK(rig.outputs.at("hammam.light.level") == 100);
  CHECK(rig.outputs.at("lounge.scent.enabled") == 0);
  CHECK_FALSE(rig.scenes.overrides().count("hammam.light.level"));
  CHECK_FALSE(rig.scenes.overrides().count("lounge.scent.enabled"));
  CHECK(rig.scenes.overrides().count("lounge.climate.setpoint"));  // not a safety output: it holds
  rig.clock.advance(10'000);
  rig.scenes.tick();
  CHECK(rig.outputs.at("hammam.light.level") == 100);
  CHECK(rig.outputs.at("lounge.scent.enabled") == 0);
}

TEST_CASE("during the fire alarm a safety output read back away from its safe value is sent again",
          "[scene_engine][safety][override]") {
  // Switched by hand at the panel, or written past atmo with `atmo modbus write`: the bus would
  // believe the device still holds 100 % and never write it again.
  DemoRig rig;
  start_weekday_evening(rig);
  rig.scenes.set_fire_alarm(true, "input entrance.fire.alarm");
  const zones::Point& level = *rig.venue->point("hammam.light.level");
  const int rewrites = rig.outputs.rewrites["hammam.light.level"];
  rig.scenes.note_output_reading(level, 100);  // as sent: nothing to do
  CHECK(rig.outputs.rewrites["hammam.light.level"] == rewrites);
  rig.scenes.note_output_reading(level, 0);
  CHECK(rig.outputs.rewrites["hammam.light.level"] == rewrites + 1);
  CHECK(rig.outputs.at("hammam.light.level") == 100);
}

TEST_CASE("a scent-free window refuses scent by hand and ends a scent override when it opens",
          "[scene_engine][safety][override]") {
  DemoRig rig;
  // treatment-2 is scent-free on Tuesdays 12:00-14:00. 2026-11-24 is a Tuesday.
  rig.clock.set(rig.local(2026, 11, 24, 11, 50));
  REQUIRE(rig.scenes.apply_zone_scene("treatment-2", "day", kTablet).ok());
  const zones::Point& enabled = *rig.venue->point("treatment-2.scent.enabled");
  REQUIRE_FALSE(rig.scenes.write_manual(enabled, 1, "technician"));
  rig.clock.set(rig.local(2026, 11, 24, 12, 0));
  rig.scenes.tick();
  CHECK(rig.outputs.at("treatment-2.scent.enabled") == 0);
  CHECK(rig.scenes.overrides().empty());
  auto refused = rig.scenes.write_manual(enabled, 1, "technician");
  REQUIRE(refused);
  CHECK_THAT(refused->message, Catch::Contains("scent-free"));
  CHECK(refused->by_safety_rule);
  CHECK(rig.outputs.at("treatment-2.scent.enabled") == 0);
}

TEST_CASE("a diagnostic write of something that is not a driven output is refused", "[scene_engine][override]") {
  DemoRig rig;
  rig.clock.set(rig.local(2026, 11, 23, 12, 0));
  auto refused = rig.scenes.write_manual(*rig.venue->point("lounge.air.temperature"), 30, "technician");
  REQUIRE(refused);
  CHECK_THAT(refused->message, Catch::Contains("not an output"));
  CHECK_FALSE(refused->by_safety_rule);
  CHECK(rig.outputs.values.empty());
}

TEST_CASE("a scene change sends again an output the device reads back away from what was sent",
          "[scene_engine][override]") {
  // Changed at the device (a wall panel, `atmo modbus write`), not through atmo: the engine's own
  // value is unchanged, yet the next scene change restores the output.
  DemoRig rig;
  start_lounge_opening(rig);
  const zones::Point& cct = *rig.venue->point("lounge.light.cct");
  rig.scenes.note_output_reading(cct, 2500);
  const int rewrites = rig.outputs.rewrites["lounge.light.cct"];
  REQUIRE(rig.scenes.apply_zone_scene("lounge", "day", kTablet).ok());  // cct 2700 again
  CHECK(rig.outputs.rewrites["lounge.light.cct"] == rewrites + 1);
  CHECK(rig.outputs.at("lounge.light.cct") == 2700);
  // A read-back that agrees is not sent again.
  rig.scenes.note_output_reading(cct, 2700);
  REQUIRE(rig.scenes.apply_zone_scene("lounge", "opening", kTablet).ok());
  CHECK(rig.outputs.rewrites["lounge.light.cct"] == rewrites + 1);
}
