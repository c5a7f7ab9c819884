#include <catch2/catch.hpp>

#include <chrono>
#include <limits>

#include "audio_test_support.hpp"
#include "drivers/audio/deterministic_rng.hpp"
#include "drivers/audio/offline_renderer.hpp"

using namespace atmo::audio;
using std::chrono::milliseconds;

namespace {

constexpr double kRate = 48000.0;

OfflineSettings two_zones(double cap_a = 0.0, double cap_b = 0.0) {
  OfflineSettings settings;
  settings.output_channels = 3;
  settings.zones = {ZoneOutput{"lounge", 0, 2, cap_a}, ZoneOutput{"hammam", 2, 1, cap_b}};
  return settings;
}

std::int64_t calibration_frames(const OfflineSettings& settings) {
  return static_cast<std::int64_t>(settings.calibration_seconds * kRate);
}

}  // namespace

// The level reference (ProgramOptions): a soundscape at level L has RMS L dBFS over its first
// calibration window on the zone's channels. 0.5 dB is the tolerance.
TEST_CASE("every built-in soundscape renders at its commanded level within 0.5 dB", "[audio][mixer][level]") {
  for (const SoundscapeSpec& spec : builtin_soundscapes()) {
    INFO(spec.id);
    OfflineRenderer renderer(two_zones());
    REQUIRE_FALSE(renderer.play("lounge", spec, -23.0, milliseconds(0)));
    const auto out = renderer.render(calibration_frames(renderer.settings()));
    CHECK(test::rms_db_of(out, 3, 0, 2, 0, calibration_frames(renderer.settings())) == Approx(-23.0).margin(0.5));
    CHECK(test::rms_db_of(out, 3, 2, 1, 0, calibration_frames(renderer.settings())) < -119.0);  // other zone silent
  }
}

TEST_CASE("levels across the range and on a mono zone land within 0.5 dB", "[audio][mixer][level]") {
  // Up to -12 dBFS: noise-like beds have a crest factor near 4 (12 dB), so louder RMS levels
  // would hit the mixer's full-scale clip (see level.hpp).
  for (double level : {-50.0, -30.0, -12.0}) {
    INFO(level);
    OfflineSettings settings = two_zones();
    settings.calibration_seconds = 10.0;  // the reference window is a setting; a shorter one keeps this fast
    OfflineRenderer renderer(settings);
    REQUIRE_FALSE(renderer.play("lounge", *builtin_soundscape("sea"), level, milliseconds(0)));
    REQUIRE_FALSE(renderer.play("hammam", *builtin_soundscape("rain"), level - 6.0, milliseconds(0)));
    const std::int64_t frames = calibration_frames(renderer.settings());
    const auto out = renderer.render(frames);
    CHECK(test::rms_db_of(out, 3, 0, 2, 0, frames) == Approx(level).margin(0.5));
    CHECK(test::rms_db_of(out, 3, 2, 1, 0, frames) == Approx(level - 6.0).margin(0.5));
  }
}

TEST_CASE("a command above the cap plays at the cap", "[audio][mixer][cap]") {
  OfflineSettings settings = two_zones(-18.0, -24.0);
  settings.calibration_seconds = 10.0;
  OfflineRenderer renderer(settings);
  REQUIRE_FALSE(renderer.play("lounge", *builtin_soundscape("forest"), 0.0, milliseconds(0)));
  REQUIRE_FALSE(renderer.play("hammam", *builtin_soundscape("bowls"), -6.0, milliseconds(0)));
  REQUIRE_FALSE(renderer.set_level("hammam", +20.0, milliseconds(200)));
  const std::int64_t frames = calibration_frames(renderer.settings());
  const auto out = renderer.render(frames);
  CHECK(test::rms_db_of(out, 3, 0, 2, 0, frames) == Approx(-18.0).margin(0.5));
  CHECK(test::rms_db_of(out, 3, 2, 1, 0, frames) == Approx(-24.0).margin(0.5));
}

// Property: whatever the order, level, fade or timing of commands, no sample of a zone is ever
// scaled beyond its cap. The mixer reports the largest effective gain (zone gain x crossfade
// power) it applied in each block; equal-power crossfades keep the power at or below 1 even when
// a crossfade is interrupted by another. The weights are float32, so sin^2 + cos^2 may exceed 1
// by a few float epsilons: the tolerance is 4 epsilons (5e-7, i.e. 0.000002 dB), nothing more.
TEST_CASE("the cap holds for any seeded random command sequence", "[audio][mixer][cap][property]") {
  OfflineSettings settings = two_zones(-18.0, -24.0);
  settings.calibration_seconds = 0.1;  // calibration accuracy is not under test here; speed is
  OfflineRenderer renderer(settings);
  const double caps[2] = {db_to_gain(-18.0), db_to_gain(-24.0)};
  const char* zones[2] = {"lounge", "hammam"};
  const auto builtins = builtin_soundscapes();
  const double tolerance = 1.0 + 4.0 * std::numeric_limits<float>::epsilon();
  DeterministicRng rng(20261123);
  std::vector<float> scratch;
  int plays = 0;
  for (int step = 0; step < 3000; ++step) {
    const int zone = static_cast<int>(rng.next() % 2U);
    const double level = rng.uniform(-80.0, 30.0);
    const milliseconds fade(static_cast<long>(rng.uniform(0.0, 1.0) < 0.3 ? 0.0 : rng.uniform(0.0, 3000.0)));
    switch (rng.next() % 6U) {
      case 0:
      case 1: {
        auto spec = builtins[rng.next() % builtins.size()];
        spec.seed = rng.next();
        REQUIRE_FALSE(renderer.play(zones[zone], spec, level, fade));
        ++plays;
        break;
      }
      case 2:
      case 3: REQUIRE_FALSE(renderer.set_level(zones[zone], level, fade)); break;
      case 4: REQUIRE_FALSE(renderer.fade_out(zones[zone], fade)); break;
      default: renderer.set_muted(rng.uniform() < 0.3); break;
    }
    scratch.clear();
    renderer.render(1 + static_cast<std::int64_t>(rng.next() % 2400U), scratch);  // up to ~5 mixer blocks
    for (int z = 0; z < 2; ++z) {
      const Mixer::ZoneProbe probe = renderer.mixer().probe(z);
      INFO("step " << step << " zone " << z);
      REQUIRE(probe.peak_effective_gain <= caps[z] * tolerance);
      REQUIRE(probe.target_gain <= caps[z]);
      REQUIRE(probe.crossfade_power <= tolerance);
      REQUIRE(probe.programs <= Mixer::kMaxProgramsPerZone);
      REQUIRE(renderer.mixer().published_level_db(z) <= (z == 0 ? -18.0 : -24.0) + 1e-6);
    }
  }
  CHECK(plays > 500);  // the sequence really exercised crossfades
}

TEST_CASE("level fades move smoothly to the target", "[audio][mixer][fade]") {
  OfflineRenderer renderer(two_zones());
  REQUIRE_FALSE(renderer.play("lounge", *builtin_soundscape("wind"), -20.0, milliseconds(0)));
  renderer.render(4800);
  REQUIRE_FALSE(renderer.set_level("lounge", -40.0, milliseconds(2000)));
  double previous_gain = renderer.mixer().probe(0).gain;
  for (int block = 0; block < 25; ++block) {  // 2.5 s in 100 ms steps
    renderer.render(4800);
    const double gain = renderer.mixer().probe(0).gain;
    CHECK(gain <= previous_gain + 1e-12);  // monotonic, no overshoot
    previous_gain = gain;
  }
  CHECK(gain_to_db(previous_gain) == Approx(-40.0).margin(1e-6));
  CHECK(renderer.mixer().published_level_db(0) == Approx(-40.0).margin(1e-3));
}

TEST_CASE("mute silences the next block and unmute brings the zone back", "[audio][mixer][mute]") {
  OfflineRenderer renderer(two_zones());
  REQUIRE_FALSE(renderer.play("lounge", *builtin_soundscape("rain"), -20.0, milliseconds(0)));
  REQUIRE_FALSE(renderer.play("hammam", *builtin_soundscape("bowls"), -20.0, milliseconds(0)));
  renderer.render(48000);
  renderer.set_muted(true);
  const auto muted = renderer.render(48000);
  // The 2 ms de-click ramp is the only sound after mute: nothing after its 96 frames.
  CHECK(test::max_abs(muted, 96 * 3, muted.size()) == 0.0);
  renderer.set_muted(false);
  const auto back = renderer.render(48000);
  CHECK(test::rms_db_of(back, 3, 0, 2, 4800, 43200) > -30.0);
  CHECK(test::rms_db_of(back, 3, 2, 1, 4800, 43200) > -30.0);
}

TEST_CASE("same seed renders identical samples, another seed differs, block size does not matter",
          "[audio][mixer][determinism]") {
  auto render = [](std::uint64_t seed, int block) {
    OfflineSettings settings;
    settings.zones = {ZoneOutput{"z", 0, 2, 0.0}};
    settings.block_frames = block;
    settings.calibration_seconds = 5.0;
    OfflineRenderer renderer(settings);
    auto spec = builtin_soundscape("forest", seed);
    REQUIRE_FALSE(renderer.play("z", *spec, -20.0, milliseconds(500)));
    return renderer.render(10 * 48000);
  };
  const auto a = render(7, 512);
  CHECK(a == render(7, 512));
  CHECK(a == render(7, 333));
  CHECK(a != render(8, 512));
}

TEST_CASE("fading out a zone ends in silence and frees its programs", "[audio][mixer][fade]") {
  OfflineRenderer renderer(two_zones());
  REQUIRE_FALSE(renderer.play("lounge", *builtin_soundscape("sea"), -20.0, milliseconds(0)));
  renderer.render(4800);
  REQUIRE_FALSE(renderer.fade_out("lounge", milliseconds(1000)));
  renderer.render(48000);
  const auto after = renderer.render(4800);
  CHECK(test::max_abs(after, 0, after.size()) == 0.0);
  CHECK(renderer.mixer().probe(0).programs == 0);
}

TEST_CASE("unknown zones are errors, not crashes", "[audio][mixer]") {
  OfflineRenderer renderer(two_zones());
  CHECK(renderer.play("attic", *builtin_soundscape("sea"), -20.0, milliseconds(0)));
  CHECK(renderer.set_level("attic", -20.0, milliseconds(0)));
  SoundscapeSpec broken{"broken", {}, 1};
  auto error = renderer.play("lounge", broken, -20.0, milliseconds(0));
  REQUIRE(error);
  CHECK_THAT(error->message, Catch::Contains("no layers"));
}

TEST_CASE("zone layouts that do not fit the output are refused at start-up", "[audio][mixer]") {
  OfflineSettings settings;
  settings.output_channels = 2;
  settings.zones = {ZoneOutput{"a", 1, 2, 0.0}};
  CHECK_THROWS_WITH(OfflineRenderer(settings), Catch::Contains("'a'"));
  settings.zones = {ZoneOutput{"a", 0, 1, 0.0}, ZoneOutput{"a", 1, 1, 0.0}};
  CHECK_THROWS_WITH(OfflineRenderer(settings), Catch::Contains("twice"));
}
