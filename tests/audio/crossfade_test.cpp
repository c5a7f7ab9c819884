#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <numbers>

#include "audio_test_support.hpp"
#include "drivers/audio/offline_renderer.hpp"

using namespace atmo::audio;
using std::chrono::milliseconds;

namespace {

OfflineSettings one_zone() {
  OfflineSettings settings;
  settings.zones = {ZoneOutput{"lounge", 0, 2, 0.0}};
  settings.calibration_seconds = 10.0;
  return settings;
}

// Renders `spec` alone, started at `start_frame` of a timeline of `total` frames, at `level_db`:
// exactly the samples that program contributes (before crossfade weights) in the mixed render.
std::vector<float> alone(const SoundscapeSpec& spec, double level_db, std::int64_t start_frame, std::int64_t total) {
  OfflineRenderer renderer(one_zone());
  auto out = renderer.render(start_frame);
  REQUIRE_FALSE(renderer.play("lounge", spec, level_db, milliseconds(0)));
  renderer.render(total - start_frame, out);
  return test::channel(out, 2, 0);
}

}  // namespace

// Bound on one sample-to-sample step of a crossfade. With the zone gain g fixed, the output is
// y[n] = sum_i a_i[n] p_i[n], p_i a program at level g alone, a_i its crossfade weight. So
//   |y[n] - y[n-1]| <= sum_i a_i |p_i[n] - p_i[n-1]| + sum_i |a_i[n] - a_i[n-1]| |p_i[n-1]|
//                  <= sqrt(k) max_i D_i  +  (pi / 2F) sum_i P_i
// where D_i and P_i are the largest step and peak of p_i alone, k the number of programs
// (sum a_i <= sqrt(k) because sum a_i^2 <= 1), and pi/2F the steepest slope of a sin/cos weight
// over F frames. A hard cut or a restart would add a step of up to the programs' peaks.
TEST_CASE("a crossfade has no discontinuity: steps stay within the equal-power bound", "[audio][crossfade]") {
  const SoundscapeSpec& from = *builtin_soundscape("wind");
  const SoundscapeSpec& to = *builtin_soundscape("bowls");
  const std::int64_t fade_start = 48000, fade = 96000, total = 3 * 48000 + 4800;

  OfflineRenderer renderer(one_zone());
  REQUIRE_FALSE(renderer.play("lounge", from, -12.0, milliseconds(0)));
  auto out = renderer.render(fade_start);
  REQUIRE_FALSE(renderer.play("lounge", to, -12.0, milliseconds(2000)));
  renderer.render(total - fade_start, out);
  const auto mixed = test::channel(out, 2, 0);

  const auto a = alone(from, -12.0, 0, total);
  const auto b = alone(to, -12.0, fade_start, total);
  const auto begin = static_cast<std::size_t>(fade_start - 1);
  const auto end = static_cast<std::size_t>(fade_start + fade + 1);
  const double bound = std::sqrt(2.0) * std::max(test::max_step(a, begin, end), test::max_step(b, begin, end)) +
                       std::numbers::pi / (2.0 * static_cast<double>(fade)) *
                           (test::max_abs(a, begin, end) + test::max_abs(b, begin, end)) +
                       1e-6;  // float rounding of the weights
  const double step = test::max_step(mixed, begin, end);
  INFO("max step " << step << " bound " << bound);
  CHECK(step <= bound);
  // And the bound is tight enough to catch a cut: a switch from one program to the other at
  // any sample would jump by |a - b|, which the bound must not hide.
  double cut = 0.0;
  for (std::size_t i = begin; i < end; ++i) cut = std::max(cut, static_cast<double>(std::abs(a[i] - b[i])));
  CHECK(cut > bound);
  // Before the fade the output is the first program alone, after it the second alone.
  CHECK(mixed[static_cast<std::size_t>(fade_start - 10)] == a[static_cast<std::size_t>(fade_start - 10)]);
  CHECK(mixed[static_cast<std::size_t>(total - 10)] == Approx(b[static_cast<std::size_t>(total - 10)]).margin(1e-6));
}

TEST_CASE("an interrupted crossfade stays continuous and equal-power", "[audio][crossfade]") {
  const SoundscapeSpec& first = *builtin_soundscape("sea");
  const SoundscapeSpec& second = *builtin_soundscape("wind");
  const SoundscapeSpec& third = *builtin_soundscape("bowls");
  const std::int64_t t1 = 24000, t2 = 72000, fade = 96000, total = t2 + fade + 4800;
  OfflineRenderer renderer(one_zone());
  REQUIRE_FALSE(renderer.play("lounge", first, -12.0, milliseconds(0)));
  auto out = renderer.render(t1);
  REQUIRE_FALSE(renderer.play("lounge", second, -12.0, milliseconds(2000)));
  renderer.render(t2 - t1, out);
  REQUIRE(renderer.mixer().probe(0).programs == 2);
  REQUIRE_FALSE(renderer.play("lounge", third, -12.0, milliseconds(2000)));  // halfway through
  CHECK(renderer.mixer().probe(0).crossfade_power == Approx(1.0).margin(1e-6));
  renderer.render(total - t2, out);
  const auto mixed = test::channel(out, 2, 0);

  const auto a = alone(first, -12.0, 0, total);
  const auto b = alone(second, -12.0, t1, total);
  const auto c = alone(third, -12.0, t2, total);
  const auto begin = static_cast<std::size_t>(t1 - 1);
  const auto end = static_cast<std::size_t>(t2 + fade + 1);
  const double steepest = std::numbers::pi / (2.0 * static_cast<double>(fade));
  const double bound =
      std::sqrt(3.0) * std::max({test::max_step(a, begin, end), test::max_step(b, begin, end), test::max_step(c, begin, end)}) +
      steepest * (test::max_abs(a, begin, end) + test::max_abs(b, begin, end) + test::max_abs(c, begin, end)) + 1e-6;
  CHECK(test::max_step(mixed, begin, end) <= bound);
  CHECK(renderer.mixer().probe(0).programs == 1);
}
