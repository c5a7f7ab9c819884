#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <vector>

#include "audio_test_support.hpp"
#include "drivers/audio/procedural_generators.hpp"

using namespace atmo::audio;

namespace {

constexpr double kRate = 48000.0;

std::vector<float> render_bed(std::string_view name, std::uint64_t seed, int frames) {
  auto bed = make_procedural_bed(name, seed, kRate);
  std::vector<float> left(static_cast<std::size_t>(frames)), right(left.size());
  for (int i = 0; i < frames; i += 500) bed->render(left.data() + i, right.data() + i, std::min(500, frames - i));
  return left;
}

std::vector<float> render_voice(std::string_view name, std::uint64_t seed, int frames) {
  auto voice = make_procedural_voice(name, kRate);
  voice->trigger(seed);
  std::vector<float> left(static_cast<std::size_t>(frames)), right(left.size());
  for (int i = 0; i < frames; i += 500) voice->render_add(left.data() + i, right.data() + i, std::min(500, frames - i), 1.0F, 1.0F);
  return left;
}

// Dominant frequency estimate: zero crossings of the sounding part.
double crossing_frequency(const std::vector<float>& x) {
  long crossings = 0;
  long sounding = 0;
  for (std::size_t i = 1; i < x.size(); ++i) {
    if (std::abs(x[i]) < 1e-4F) continue;
    ++sounding;
    if ((x[i - 1] < 0.0F) != (x[i] < 0.0F)) ++crossings;
  }
  return sounding == 0 ? 0.0 : 0.5 * static_cast<double>(crossings) * kRate / static_cast<double>(sounding);
}

double goertzel_power(const std::vector<float>& x, std::size_t begin, std::size_t count, double frequency) {
  const double w = 2.0 * std::numbers::pi * frequency / kRate;
  const double coefficient = 2.0 * std::cos(w);
  double s1 = 0.0, s2 = 0.0;
  for (std::size_t i = begin; i < begin + count; ++i) {
    const double s0 = x[i] + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
}

}  // namespace

TEST_CASE("generators are deterministic: same seed same samples, other seed other samples", "[audio][generator]") {
  for (const GeneratorInfo& info : procedural_generators()) {
    INFO(info.name);
    const bool bed = info.kind == GeneratorKind::Bed;
    const auto a = bed ? render_bed(info.name, 11, 48000) : render_voice(info.name, 11, 48000);
    const auto b = bed ? render_bed(info.name, 11, 48000) : render_voice(info.name, 11, 48000);
    const auto c = bed ? render_bed(info.name, 12, 48000) : render_voice(info.name, 12, 48000);
    CHECK(a == b);
    CHECK(a != c);
  }
}

TEST_CASE("generators stay finite and below full scale", "[audio][generator]") {
  for (const GeneratorInfo& info : procedural_generators()) {
    INFO(info.name);
    const auto x = info.kind == GeneratorKind::Bed ? render_bed(info.name, 5, 10 * 48000)
                                                   : render_voice(info.name, 5, 10 * 48000);
    bool finite = true;
    for (float s : x) finite = finite && std::isfinite(s);
    CHECK(finite);
    CHECK(test::max_abs(x, 0, x.size()) < 1.0);
    CHECK(test::max_abs(x, 0, x.size()) > 0.01);  // and they do make sound
  }
}

TEST_CASE("beds breathe: their level moves slowly instead of being static noise", "[audio][generator]") {
  for (const char* name : {"rain", "surf", "wind", "forest-air", "bowl-drone"}) {
    INFO(name);
    const auto x = render_bed(name, 3, 30 * 48000);
    double lowest = 0.0, highest = -200.0;
    for (int w = 0; w < 30; ++w) {
      const double level = rms_db(x.data() + w * 48000, 48000);
      lowest = std::min(lowest, level);
      highest = std::max(highest, level);
    }
    CHECK(highest - lowest > 1.0);   // audible movement over half a minute
    CHECK(highest - lowest < 20.0);  // but no dropouts
  }
}

TEST_CASE("rain is brighter than wind and forest air", "[audio][generator]") {
  const double rain = crossing_frequency(render_bed("rain", 1, 5 * 48000));
  CHECK(rain > 2.0 * crossing_frequency(render_bed("wind", 1, 5 * 48000)));
  CHECK(rain > 2.0 * crossing_frequency(render_bed("forest-air", 1, 5 * 48000)));
}

TEST_CASE("birds sing in the 2-8 kHz band", "[audio][generator]") {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const double f = crossing_frequency(render_voice("bird", seed, 2 * 48000));
    CHECK(f > 2000.0);
    CHECK(f < 8000.0);
  }
}

TEST_CASE("a struck bowl has inharmonic partials and decays", "[audio][generator]") {
  const auto x = render_voice("bowl", 7, 12 * 48000);
  const std::size_t window = 4800;  // 10 Hz bins: wide enough for the partials' random detuning
  double best = 0.0, f0 = 0.0;
  for (double candidate : {196.0, 220.0, 246.94, 261.63, 293.66, 329.63, 392.0}) {
    const double p = goertzel_power(x, 4800, window, candidate);
    if (p > best) best = p, f0 = candidate;
  }
  // A bowl's second mode sits near 2.7 f0, not at the harmonic 2 f0 of a plucked string.
  CHECK(goertzel_power(x, 4800, window, f0 * 2.71) > 10.0 * goertzel_power(x, 4800, window, f0 * 2.0));
  CHECK(rms_db(x.data(), 48000) - rms_db(x.data() + 10 * 48000, 48000) > 10.0);
}
