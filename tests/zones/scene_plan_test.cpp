#include <catch2/catch.hpp>

#include <random>

#include "test_venue.hpp"
#include "zones/scene_plan.hpp"

using namespace atmo;
using namespace atmo::zones;
using namespace atmo::zones::test;

namespace {

const v1::ZoneScene& scene(const Venue& v, const char* zone, const char* id) {
  const auto* s = v.zone_scene(zone, id);
  REQUIRE(s != nullptr);
  return *s;
}

bool has_note(const ScenePlan& p, std::string_view rule) {
  for (const auto& n : p.notes) {
    if (n.rule == rule) return true;
  }
  return false;
}

// Thursday 2026-06-11, 12:00 local: no scent-free window.
constexpr LocalClockTime kThursdayNoon{4, 12 * 60};

}  // namespace

TEST_CASE("a zone scene reaches every output of each quantity with its curve", "[scene_plan]") {
  auto venue = make_test_venue();
  auto plan = plan_zone_scene(*venue, "lounge", scene(*venue, "lounge", "day"), {"schedule", "step 09:00"});
  REQUIRE(plan.ok());
  CHECK(plan->zone == "lounge");
  CHECK(plan->scene == "day");
  CHECK(plan->cause.who == "schedule");
  CHECK(plan->fade_ms == 5000);
  // Both light fixtures get level and cct.
  REQUIRE(plan->target("lounge.light.level"));
  CHECK(plan->target("lounge.light.level")->value == 80);
  CHECK(plan->target("lounge.light.level")->curve == FadeCurve::perceptual);
  CHECK(plan->target("lounge.spot.level")->value == 80);
  CHECK(plan->target("lounge.light.cct")->value == 4000);
  CHECK(plan->target("lounge.light.cct")->curve == FadeCurve::mired);
  CHECK(plan->target("lounge.scent.enable")->value == 1);
  CHECK(plan->target("lounge.scent.intensity")->value == 40);
  CHECK(plan->target("lounge.scent.intensity")->curve == FadeCurve::linear);
  CHECK(plan->target("lounge.scent.work")->value == 30);
  CHECK(plan->target("lounge.scent.pause")->value == 60);
  CHECK(plan->target("lounge.climate.setpoint")->value == 24);
  CHECK(plan->target("lounge.climate.setpoint")->curve == FadeCurve::step);
  CHECK(plan->target("lounge.climate.floor") == nullptr);  // not set by the scene
  CHECK(plan->target("lounge.light.red") == nullptr);
  REQUIRE(plan->sound);
  CHECK(plan->sound->soundscape == "rain");
  CHECK(*plan->sound->level_db == -20);
  CHECK(plan->sound->fade_ms == 5000);
  // The hammam's outputs are never touched by a lounge scene.
  for (const auto& t : plan->points) CHECK(t.point->zone == "lounge");
}

TEST_CASE("explicit points win over settings, unknown points are errors", "[scene_plan]") {
  auto venue = make_test_venue();
  auto plan = plan_zone_scene(*venue, "lounge", scene(*venue, "lounge", "evening"), {"user:anna", "manual"});
  REQUIRE(plan.ok());
  CHECK(plan->target("lounge.spot.level")->value == 5);
  CHECK(plan->target("lounge.spot.level")->source == "points[spot.level]");
  CHECK(plan->target("lounge.light.level")->value == 20);
  CHECK(plan->target("lounge.climate.fan")->value == 1);
  CHECK(plan->fade_ms == kDefaultSceneFadeMs);

  v1::ZoneScene bad = scene(*venue, "lounge", "day");
  bad.add_points()->set_point("air.temperature");  // an input, not an output
  auto err = plan_zone_scene(*venue, "lounge", bad, {});
  REQUIRE_FALSE(err.ok());
  CHECK_THAT(err.error().message, Catch::Contains("air.temperature") && Catch::Contains("not an output"));
  CHECK_FALSE(plan_zone_scene(*venue, "sauna", bad, {}).ok());
}

TEST_CASE("values are clamped to the point range and disabled points are skipped", "[scene_plan]") {
  auto venue = make_test_venue();
  v1::ZoneScene s;
  s.set_id("odd");
  s.mutable_light()->set_level(140);
  s.mutable_light()->set_red(50);
  auto* pv = s.add_points();
  pv->set_point("spot.red");
  pv->set_value(10);
  auto plan = plan_zone_scene(*venue, "lounge", s, {});
  REQUIRE(plan.ok());
  CHECK(plan->target("lounge.light.level")->value == 100);
  CHECK(has_note(*plan, "range"));
  CHECK(plan->target("lounge.light.red")->value == 50);
  CHECK(plan->target("lounge.spot.red") == nullptr);
  CHECK(has_note(*plan, "disabled"));
}

TEST_CASE("a venue scene plans every zone that has the scene", "[scene_plan]") {
  auto venue = make_test_venue();
  auto plans = plan_venue_scene(*venue, "day", {"schedule", "x"});
  REQUIRE(plans.ok());
  REQUIRE(plans->size() == 2);
  CHECK((*plans)[0].zone == "lounge");
  CHECK((*plans)[1].zone == "hammam");
  auto evening = plan_venue_scene(*venue, "evening", {});
  REQUIRE(evening.ok());
  CHECK(evening->size() == 1);  // the hammam has no evening scene: it keeps its scene
  CHECK_FALSE(plan_venue_scene(*venue, "party", {}).ok());
}

TEST_CASE("the audio cap always holds", "[scene_plan][safety]") {
  auto venue = make_test_venue();
  CHECK(audio_cap_db(venue->zone("lounge")->safety()) == kDefaultAudioCapDb);
  CHECK(audio_cap_db(venue->zone("hammam")->safety()) == -18);

  auto evening = plan_zone_scene(*venue, "lounge", scene(*venue, "lounge", "evening"), {});
  REQUIRE(evening.ok());
  auto safe = enforce_safety(*venue, *evening, {false, kThursdayNoon});
  CHECK(*safe.sound->level_db == -12);  // asked -6
  CHECK(safe.sound->cap_db == -12);
  CHECK(has_note(safe, "audio_cap"));

  std::mt19937 rng(7);
  std::uniform_real_distribution<double> level(-80, 20);
  for (int i = 0; i < 500; ++i) {
    for (const char* zone : {"lounge", "hammam"}) {
      v1::ZoneScene s;
      s.set_id("random");
      s.mutable_sound()->set_soundscape("rain");
      const double asked = level(rng);
      s.mutable_sound()->set_level_db(asked);
      auto plan = plan_zone_scene(*venue, zone, s, {});
      REQUIRE(plan.ok());
      auto out = enforce_safety(*venue, *plan, {false, kThursdayNoon});
      const double cap = audio_cap_db(venue->zone(zone)->safety());
      REQUIRE(out.sound->level_db);
      CHECK(*out.sound->level_db <= cap);
      CHECK(*out.sound->level_db == std::min(asked, cap));
    }
  }
}

TEST_CASE("diffuser duty is clamped by lengthening the pause", "[scene_plan][safety]") {
  CHECK(clamp_duty({60, 30}, 50).pause_s == 60);
  CHECK(clamp_duty({60, 30}, 50).work_s == 60);
  CHECK(clamp_duty({30, 60}, 50).pause_s == 60);     // 33 %: unchanged
  CHECK(clamp_duty({30, 30}, 50).pause_s == 30);     // exactly 50 %: allowed
  CHECK(clamp_duty({10, 0}, 30).pause_s == 24);      // 10/34 = 29.4 % <= 30 %, 10/33 = 30.3 % > 30 %
  CHECK(clamp_duty({10, 0}, 100).pause_s == 0);
  CHECK(clamp_duty({0, 0}, 50).pause_s == 0);

  auto venue = make_test_venue();
  auto evening = plan_zone_scene(*venue, "lounge", scene(*venue, "lounge", "evening"), {});
  REQUIRE(evening.ok());
  auto safe = enforce_safety(*venue, *evening, {false, kThursdayNoon});
  CHECK(safe.target("lounge.scent.work")->value == 60);
  CHECK(safe.target("lounge.scent.pause")->value == 60);  // asked 30: 66.7 % > 50 %
  CHECK(has_note(safe, "scent_max_duty"));

  // Hammam: 25 % maximum, work set without a pause -> the plan writes the shortest safe pause.
  auto hammam = plan_zone_scene(*venue, "hammam", scene(*venue, "hammam", "day"), {});
  REQUIRE(hammam.ok());
  CHECK(hammam->target("hammam.scent.pause") == nullptr);
  auto hsafe = enforce_safety(*venue, *hammam, {false, kThursdayNoon});
  REQUIRE(hsafe.target("hammam.scent.pause"));
  CHECK(hsafe.target("hammam.scent.pause")->value == 90);  // 30 / (30 + 90) = 25 %
}

TEST_CASE("scent-free window across midnight forces scent off", "[scene_plan][safety]") {
  auto venue = make_test_venue();
  const auto& safety = venue->config().safety();
  // Friday 22:00 -> Saturday 06:00, lounge only.
  CHECK(scent_free_window_at(safety, "lounge", {5, 21 * 60 + 59}) == nullptr);
  CHECK(scent_free_window_at(safety, "lounge", {5, 22 * 60}) != nullptr);
  CHECK(scent_free_window_at(safety, "lounge", {5, 23 * 60 + 59}) != nullptr);
  CHECK(scent_free_window_at(safety, "lounge", {6, 0}) != nullptr);        // Saturday 00:00: Friday's window
  CHECK(scent_free_window_at(safety, "lounge", {6, 5 * 60 + 59}) != nullptr);
  CHECK(scent_free_window_at(safety, "lounge", {6, 6 * 60}) == nullptr);   // ends at 06:00
  CHECK(scent_free_window_at(safety, "lounge", {6, 22 * 60 + 30}) == nullptr);  // Saturday evening: no
  CHECK(scent_free_window_at(safety, "lounge", {5, 3 * 60}) == nullptr);   // Friday early: Thursday has none
  CHECK(scent_free_window_at(safety, "hammam", {5, 23 * 60}) == nullptr);  // other zone

  auto day = plan_zone_scene(*venue, "lounge", scene(*venue, "lounge", "day"), {"user:bo", "late guests"});
  REQUIRE(day.ok());
  auto safe = enforce_safety(*venue, *day, {false, {6, 1 * 60}});
  CHECK(safe.target("lounge.scent.enable")->value == 0);
  CHECK(safe.target("lounge.scent.intensity")->value == 0);
  CHECK(safe.target("lounge.light.level")->value == 80);  // the rest of the scene still applies
  REQUIRE(has_note(safe, "scent_free"));

  // A scene that does not mention scent still turns it off in the window.
  auto opening = plan_zone_scene(*venue, "lounge", scene(*venue, "lounge", "opening"), {});
  REQUIRE(opening.ok());
  CHECK(opening->target("lounge.scent.enable") == nullptr);
  auto safe2 = enforce_safety(*venue, *opening, {false, {5, 23 * 60}});
  CHECK(safe2.target("lounge.scent.enable")->value == 0);
}

TEST_CASE("fire alarm overrides any scene: lights full, audio muted, diffusers off", "[scene_plan][safety]") {
  auto venue = make_test_venue();
  auto day = plan_zone_scene(*venue, "lounge", scene(*venue, "lounge", "day"), {"user:anna", "manual"});
  REQUIRE(day.ok());
  auto safe = enforce_safety(*venue, *day, {true, kThursdayNoon});
  CHECK(safe.scene == "fire-alarm");
  CHECK(safe.cause.who == "safety");
  CHECK(safe.fade_ms == 0);
  CHECK(safe.target("lounge.light.level")->value == 100);
  CHECK(safe.target("lounge.spot.level")->value == 100);
  CHECK(safe.target("lounge.light.red")->value == 100);
  CHECK(safe.target("lounge.light.white")->value == 100);
  CHECK(safe.target("lounge.scent.enable")->value == 0);
  CHECK(safe.target("lounge.scent.intensity")->value == 0);
  CHECK(safe.target("lounge.climate.setpoint") == nullptr);  // climate untouched
  for (const auto& t : safe.points) CHECK(t.curve == FadeCurve::step);
  REQUIRE(safe.sound);
  CHECK(safe.sound->muted);
  CHECK(safe.sound->soundscape.empty());
  bool refused_noted = false;
  for (const auto& n : safe.notes) {
    refused_noted = refused_noted || (n.rule == "fire_alarm" && n.detail.find("\"day\"") != std::string::npos &&
                                      n.detail.find("user:anna") != std::string::npos);
  }
  CHECK(refused_noted);
  auto hammam = fire_alarm_plan(*venue, "hammam");
  CHECK(hammam.target("hammam.scent.enable")->value == 0);
  CHECK(hammam.sound->muted);
}
