// The technician's test tone in the mixer: a sine at the commanded level (never above the zone
// cap) on the zone's channels only, in place of the soundscape, which comes back unchanged.
#include <catch2/catch.hpp>

#include <chrono>

#include "audio_test_support.hpp"
#include "drivers/audio/offline_renderer.hpp"

using namespace atmo::audio;
using std::chrono::milliseconds;

namespace {

constexpr double kRate = 48000.0;

OfflineSettings two_zones(double cap_lounge) {
  OfflineSettings settings;
  settings.output_channels = 3;
  settings.calibration_seconds = 2.0;
  settings.zones = {ZoneOutput{"lounge", 0, 2, cap_lounge}, ZoneOutput{"hammam", 2, 1, 0.0}};
  return settings;
}

std::int64_t frames(double seconds) { return static_cast<std::int64_t>(seconds * kRate); }

// Sign changes per second on one channel: 2 per cycle of a sine.
double crossings_per_second(const std::vector<float>& mono) {
  int crossings = 0;
  for (std::size_t i = 1; i < mono.size(); ++i) {
    if ((mono[i - 1] < 0.0F) != (mono[i] < 0.0F)) ++crossings;
  }
  return crossings * kRate / static_cast<double>(mono.size());
}

}  // namespace

TEST_CASE("a test tone replaces the zone's soundscape at its level, then the soundscape returns", "[audio][mixer][tone]") {
  OfflineRenderer with_tone(two_zones(-12.0));
  OfflineRenderer twin(two_zones(-12.0));  // same soundscapes, no tone
  for (auto* r : {&with_tone, &twin}) {
    REQUIRE_FALSE(r->play("lounge", *builtin_soundscape("sea"), -23.0, milliseconds(0)));
    REQUIRE_FALSE(r->play("hammam", *builtin_soundscape("rain"), -30.0, milliseconds(0)));
  }
  const auto before = with_tone.render(frames(0.5));
  const auto twin_before = twin.render(frames(0.5));
  CHECK(before == twin_before);

  REQUIRE_FALSE(with_tone.test_tone("lounge", -30.0, 1000.0, milliseconds(1000)));
  const auto during = with_tone.render(frames(1.0));
  const auto twin_during = twin.render(frames(1.0));
  // After the 10 ms ramp: only the sine, 1 kHz, at -30 dBFS RMS (whole cycles: 48 frames each).
  const std::int64_t steady = frames(0.02);
  const std::int64_t window = 48 * 900;
  CHECK(test::rms_db_of(during, 3, 0, 2, steady, window) == Approx(-30.0).margin(0.05));
  CHECK(crossings_per_second(test::channel(during, 3, 0, steady, window)) == Approx(2000.0).margin(5.0));
  CHECK(test::channel(during, 3, 0, steady, window) == test::channel(during, 3, 1, steady, window));
  CHECK(with_tone.mixer().published_level_db(0) == Approx(-30.0).margin(0.01));
  // The other zone does not hear it: its channel is sample for sample what it would have been.
  CHECK(test::channel(during, 3, 2) == test::channel(twin_during, 3, 2));
  // No click at the start: over the ramp no sample step exceeds the soundscape's own largest step
  // plus the sine's (2 pi 1000/48000 x its 0.045 amplitude = 0.006).
  const auto ramp_end = static_cast<std::size_t>(steady);
  CHECK(test::max_step(test::channel(during, 3, 0), 1, ramp_end) <=
        test::max_step(test::channel(twin_during, 3, 0), 1, ramp_end) + 0.007);

  // 10 ms after the end the tone is gone and the soundscape plays exactly as if it never stopped.
  with_tone.render(frames(0.02));
  twin.render(frames(0.02));
  CHECK(with_tone.render(frames(0.5)) == twin.render(frames(0.5)));
  CHECK(with_tone.mixer().published_level_db(0) == Approx(twin.mixer().published_level_db(0)));
}

TEST_CASE("a test tone louder than the zone cap plays at the cap", "[audio][mixer][tone][cap]") {
  OfflineRenderer renderer(two_zones(-24.0));
  REQUIRE_FALSE(renderer.test_tone("lounge", -6.0, 440.0, milliseconds(500)));
  const auto out = renderer.render(frames(0.5));
  // 440 Hz does not divide 48 kHz: a long window keeps the partial cycle's error small.
  CHECK(test::rms_db_of(out, 3, 0, 2, frames(0.02), frames(0.45)) == Approx(-24.0).margin(0.05));
  CHECK(renderer.mixer().probe(0).peak_effective_gain <= db_to_gain(-24.0) + 1e-12);
  CHECK(test::rms_db_of(out, 3, 2, 1, 0, frames(0.5)) < -119.0);
}

TEST_CASE("a test tone of no duration ends a running one, and unknown zones are refused", "[audio][mixer][tone]") {
  OfflineRenderer renderer(two_zones(-12.0));
  REQUIRE_FALSE(renderer.test_tone("lounge", -20.0, 1000.0, milliseconds(5000)));
  renderer.render(frames(0.1));
  REQUIRE_FALSE(renderer.test_tone("lounge", -20.0, 1000.0, milliseconds(0)));
  renderer.render(frames(0.02));  // the release ramp
  const auto after = renderer.render(frames(0.2));
  CHECK(test::rms_db_of(after, 3, 0, 2, 0, frames(0.2)) < -119.0);
  CHECK(renderer.test_tone("spa-pool", -20.0, 1000.0, milliseconds(1000)).has_value());
}
