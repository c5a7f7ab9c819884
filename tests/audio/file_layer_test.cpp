#include <catch2/catch.hpp>

#include <sndfile.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <numbers>

#include "audio_test_support.hpp"
#include "drivers/audio/audio_file_decoder.hpp"
#include "drivers/audio/offline_renderer.hpp"
#include "drivers/audio/wav_writer.hpp"

using namespace atmo::audio;
using std::chrono::milliseconds;

namespace {

// A mono 44.1 kHz sine: exercises channel conversion and rate conversion at once.
std::string write_tone(const std::filesystem::path& dir, double frequency, double seconds, int rate = 44100) {
  const auto path = (dir / "tone.wav").string();
  auto writer = WavWriter::open(path, rate, 1);
  REQUIRE(writer);
  std::vector<float> samples(static_cast<std::size_t>(seconds * rate));
  for (std::size_t i = 0; i < samples.size(); ++i) {
    samples[i] = static_cast<float>(0.5 * std::sin(2.0 * std::numbers::pi * frequency * static_cast<double>(i) / rate));
  }
  REQUIRE_FALSE(writer.value()->write(samples));
  REQUIRE_FALSE(writer.value()->close());
  return path;
}

double crossing_frequency(const std::vector<float>& x, double rate) {
  long crossings = 0;
  for (std::size_t i = 1; i < x.size(); ++i) crossings += (x[i - 1] < 0.0F) != (x[i] < 0.0F) ? 1 : 0;
  return 0.5 * static_cast<double>(crossings) * rate / static_cast<double>(x.size());
}

}  // namespace

TEST_CASE("a WAV file decodes to stereo at the mixer rate", "[audio][file]") {
  const auto dir = test::scratch_dir("decode");
  const std::string path = write_tone(dir, 441.0, 1.0);
  auto decoded = decode_audio_file(path, 48000.0);
  REQUIRE(decoded);
  CHECK(decoded->frames() == Approx(48000).margin(2));
  CHECK(decoded->left == decoded->right);
  CHECK(crossing_frequency(decoded->left, 48000.0) == Approx(441.0).margin(2.0));
  CHECK(test::max_abs(decoded->left, 0, decoded->left.size()) == Approx(0.5).margin(0.01));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a file bed plays the file, looped, at the commanded level", "[audio][file]") {
  const auto dir = test::scratch_dir("bed");
  const std::string path = write_tone(dir, 300.0, 1.0);
  LayerSpec layer;
  layer.source = path;
  SoundscapeSpec spec{"tone", {layer}, 1};
  OfflineSettings settings;
  settings.zones = {ZoneOutput{"z", 0, 2, 0.0}};
  settings.calibration_seconds = 3.0;
  OfflineRenderer renderer(settings);
  REQUIRE_FALSE(renderer.play("z", spec, -20.0, milliseconds(0)));
  const auto out = renderer.render(3 * 48000);
  CHECK(test::rms_db_of(out, 2, 0, 2, 0, 3 * 48000) == Approx(-20.0).margin(0.5));
  // Still sounding after the first loop: the bed repeats.
  CHECK(test::rms_db_of(out, 2, 0, 2, 2 * 48000, 48000) == Approx(-20.0).margin(0.5));
  CHECK(crossing_frequency(test::channel(out, 2, 0), 48000.0) == Approx(300.0).margin(3.0));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a file one-shot layer plays the file at random times", "[audio][file]") {
  const auto dir = test::scratch_dir("oneshot");
  const std::string path = write_tone(dir, 1000.0, 0.2);
  LayerSpec layer;
  layer.kind = LayerKind::OneShot;
  layer.source = path;
  layer.interval_min_s = 0.5;
  layer.interval_max_s = 1.0;
  SoundscapeSpec spec{"pings", {layer}, 1};
  OfflineSettings settings;
  settings.zones = {ZoneOutput{"z", 0, 2, 0.0}};
  settings.calibration_seconds = 10.0;
  OfflineRenderer renderer(settings);
  REQUIRE_FALSE(renderer.play("z", spec, -20.0, milliseconds(0)));
  const auto left = test::channel(renderer.render(10 * 48000), 2, 0);
  // Count the events: runs of sound separated by silence.
  int events = 0;
  bool sounding = false;
  std::size_t quiet = 0;
  for (float s : left) {
    if (std::abs(s) > 1e-3F) {
      if (!sounding) ++events;
      sounding = true;
      quiet = 0;
    } else if (++quiet > 480) {
      sounding = false;
    }
  }
  CHECK(events >= 10);  // 10 s at one event every 0.5-1.0 s
  CHECK(events <= 21);
  std::filesystem::remove_all(dir);
}

TEST_CASE("unreadable files are errors that name the file", "[audio][file]") {
  const auto dir = test::scratch_dir("bad");
  std::ofstream(dir / "notes.wav") << "this is not audio";
  for (const std::string& path : {(dir / "missing.wav").string(), (dir / "notes.wav").string()}) {
    LayerSpec layer;
    layer.source = path;
    OfflineSettings settings;
    settings.zones = {ZoneOutput{"z", 0, 2, 0.0}};
    OfflineRenderer renderer(settings);
    auto error = renderer.play("z", SoundscapeSpec{"x", {layer}, 1}, -20.0, milliseconds(0));
    REQUIRE(error);
    CHECK_THAT(error->message, Catch::Contains(path));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("render_builtin_to_wav writes a float WAV of the requested length", "[audio][file]") {
  const auto dir = test::scratch_dir("render");
  const auto path = (dir / "rain.wav").string();
  REQUIRE_FALSE(render_builtin_to_wav("rain", 2.0, -20.0, 4, path));
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  REQUIRE(file != nullptr);
  CHECK(info.frames == 96000);
  CHECK(info.channels == 2);
  CHECK(info.samplerate == 48000);
  std::vector<float> samples(static_cast<std::size_t>(info.frames * 2));
  CHECK(sf_readf_float(file, samples.data(), info.frames) == info.frames);
  sf_close(file);
  CHECK(test::rms_db_of(samples, 2, 0, 2, 0, 96000) == Approx(-20.0).margin(1.5));  // 2 s of a 30 s reference
  auto error = render_builtin_to_wav("disco", 2.0, -20.0, 4, path);
  REQUIRE(error);
  CHECK_THAT(error->message, Catch::Contains("rain"));
  std::filesystem::remove_all(dir);
}
