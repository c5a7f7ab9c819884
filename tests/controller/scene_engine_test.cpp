#include <catch2/catch.hpp>

#include <cmath>

#include "demo_fixture.hpp"
#include "zones/fade.hpp"

using namespace atmo;
using atmo::test::DemoRig;

namespace {
const zones::ChangeCause kTablet{"user:anna", "manual choice on the tablet"};
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
  rig.clock.set(rig.local(2026, 11, 23, 19, 0));
  REQUIRE(rig.scenes.apply_venue_scene("evening", {"schedule", "program weekday"}).ok());
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
