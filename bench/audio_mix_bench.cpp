// How fast the offline mixer runs, in x real time per zone, next to `sox -m` mixing the same
// number of layers in the same run. Four 60 s stereo 48 kHz float WAV layers are rendered first
// (from the built-in soundscapes), then mixed by:
//   atmo mix only   - ZoneProgram + Mixer over the decoded layers (what the producer thread does)
//   atmo end-to-end - decode the 4 files, mix, write a WAV (the same work as sox -m)
//   atmo procedural - 4 procedural layers (rain, wind, drips, birds) synthesised and mixed
//   sox -m          - sox mixing the 4 files into a WAV
// usage: audio_mix_bench [seconds=60]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <filesystem>
#include <string>
#include <vector>

#include "drivers/audio/offline_renderer.hpp"
#include "drivers/audio/wav_writer.hpp"

using namespace atmo::audio;
using Clock = std::chrono::steady_clock;

namespace {

double elapsed(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

SoundscapeSpec four_files(const std::vector<std::string>& files) {
  SoundscapeSpec spec{"four-files", {}, 1};
  for (const std::string& file : files) {
    LayerSpec layer;
    layer.source = file;
    layer.gain_db = -6.0;
    spec.layers.push_back(layer);
  }
  return spec;
}

OfflineRenderer make_renderer() {
  OfflineSettings settings;
  settings.zones = {ZoneOutput{"zone", 0, 2, 0.0}};
  settings.calibration_seconds = 1.0;  // not what is measured here
  return OfflineRenderer(settings);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 60.0;
  const auto frames = static_cast<std::int64_t>(seconds * 48000.0);
  const auto dir = std::filesystem::temp_directory_path() / ("atmo-audio-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<std::string> files;
  for (const char* id : {"rain", "sea", "forest", "wind"}) {
    files.push_back((dir / (std::string(id) + ".wav")).string());
    if (auto error = render_builtin_to_wav(id, seconds, -20.0, 1, files.back())) {
      std::fprintf(stderr, "%s\n", error->message.c_str());
      return 1;
    }
  }

  // atmo, mix only (layers already decoded).
  double mix_only = 0.0;
  {
    OfflineRenderer renderer = make_renderer();
    if (auto error = renderer.play("zone", four_files(files), -20.0, std::chrono::milliseconds(0))) {
      std::fprintf(stderr, "%s\n", error->message.c_str());
      return 1;
    }
    std::vector<float> out;
    out.reserve(static_cast<std::size_t>(frames) * 2);
    const auto t0 = Clock::now();
    renderer.render(frames, out);
    mix_only = elapsed(t0);
  }
  // atmo, end to end: decode + mix + write.
  double end_to_end = 0.0;
  {
    const auto t0 = Clock::now();
    OfflineRenderer renderer = make_renderer();
    if (renderer.play("zone", four_files(files), -20.0, std::chrono::milliseconds(0))) return 1;
    auto writer = WavWriter::open((dir / "atmo-mix.wav").string(), 48000, 2);
    if (!writer) return 1;
    std::vector<float> chunk;
    for (std::int64_t done = 0; done < frames; done += 48000) {
      chunk.clear();
      renderer.render(std::min<std::int64_t>(48000, frames - done), chunk);
      if (writer.value()->write(chunk)) return 1;
    }
    if (writer.value()->close()) return 1;
    end_to_end = elapsed(t0);
  }
  // atmo, four procedural layers.
  double procedural = 0.0;
  {
    SoundscapeSpec spec = *builtin_soundscape("rain");  // rain bed, drips, wind bed
    LayerSpec birds;
    birds.kind = LayerKind::OneShot;
    birds.source = "bird";
    birds.interval_min_s = 1.5;
    birds.interval_max_s = 5.0;
    birds.pan_min = -0.9;
    birds.pan_max = 0.9;
    spec.layers.push_back(birds);
    OfflineRenderer renderer = make_renderer();
    if (renderer.play("zone", spec, -20.0, std::chrono::milliseconds(0))) return 1;
    std::vector<float> out;
    out.reserve(static_cast<std::size_t>(frames) * 2);
    const auto t0 = Clock::now();
    renderer.render(frames, out);
    procedural = elapsed(t0);
  }
  // sox -m, same four files, same output format.
  double sox = 0.0;
  {
    std::string command = "sox -V1 -m";
    for (const std::string& file : files) command += " -v 0.5 '" + file + "'";
    command += " -e floating-point -b 32 '" + (dir / "sox-mix.wav").string() + "'";
    const auto t0 = Clock::now();
    const int rc = std::system(command.c_str());
    sox = elapsed(t0);
    if (rc != 0) {
      std::fprintf(stderr, "sox failed (%d): %s\n", rc, command.c_str());
      return 1;
    }
  }
  std::filesystem::remove_all(dir);

  std::printf("audio mix bench: 4 layers, %.0f s of 48 kHz stereo per zone\n", seconds);
  std::printf("%-34s %10s %14s\n", "", "seconds", "x realtime");
  std::printf("%-34s %10.3f %14.0f\n", "atmo mixer, 4 decoded file layers", mix_only, seconds / mix_only);
  std::printf("%-34s %10.3f %14.0f\n", "atmo decode + mix + write WAV", end_to_end, seconds / end_to_end);
  std::printf("%-34s %10.3f %14.0f\n", "atmo mixer, 4 procedural layers", procedural, seconds / procedural);
  std::printf("%-34s %10.3f %14.0f\n", "sox -m 4 files", sox, seconds / sox);
  std::printf("ratio atmo mix-only / sox -m:      %.2f\n", sox / mix_only);
  std::printf("ratio atmo end-to-end / sox -m:    %.2f\n", sox / end_to_end);
  return 0;
}
