// How fast the offline mixer runs, in x real time per zone for 4 layers, next to `sox -m` mixing the
// same number of layers (same length, same format) and a plain C++ 4-layer mix, in the same run.
// Four stereo 48 kHz float WAV layers are rendered first (from the built-in soundscapes), then:
//   atmo mixer, 4 file layers  - ZoneProgram + Mixer over the decoded layers (the producer thread's work)
//   plain C++ 4-layer mix      - the same decoded layers summed with gains into interleaved stereo
//   atmo decode + mix + write  - decode the 4 files, mix, write a float WAV (the same work as sox -m)
//   sox -m                     - sox mixing the 4 files into a float WAV
//   atmo mixer, 4 procedural   - rain bed, drips, wind bed and birds synthesised and mixed
// Each repetition runs every variant once; one JSON line per variant and repetition.
// usage: audio_mix_bench [seconds=60] [repetitions=5]
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "drivers/audio/audio_file_decoder.hpp"
#include "drivers/audio/offline_renderer.hpp"
#include "drivers/audio/wav_writer.hpp"

using namespace atmo::audio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kRate = 48000.0;

double elapsed(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// CPU seconds of this process and of its finished children (sox): on a busy machine the wall
/// clock also counts the time other work held the CPU, the CPU time does not.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9 +
         static_cast<double>(children.ru_utime.tv_sec + children.ru_stime.tv_sec) +
         static_cast<double>(children.ru_utime.tv_usec + children.ru_stime.tv_usec) * 1e-6;
}

/// Wall and CPU seconds of one variant.
struct Cost {
  double wall = 0;
  double cpu = 0;
};

template <class F>
Cost measure(F&& f) {
  const double cpu0 = cpu_seconds();
  const auto t0 = Clock::now();
  f();
  return {elapsed(t0), cpu_seconds() - cpu0};
}

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

SoundscapeSpec four_procedural() {
  SoundscapeSpec spec = *builtin_soundscape("rain");  // rain bed, drips, wind bed
  LayerSpec birds;
  birds.kind = LayerKind::OneShot;
  birds.source = "bird";
  birds.interval_min_s = 1.5;
  birds.interval_max_s = 5.0;
  birds.pan_min = -0.9;
  birds.pan_max = 0.9;
  spec.layers.push_back(birds);
  return spec;
}

OfflineRenderer make_renderer() {
  OfflineSettings settings;
  settings.zones = {ZoneOutput{"zone", 0, 2, 0.0}};
  settings.calibration_seconds = 1.0;  // preparing the program is not what is measured here
  return OfflineRenderer(settings);
}

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::exit(1);
}

Cost mix_in_memory(OfflineRenderer& renderer, std::int64_t frames, std::vector<float>& out) {
  out.clear();
  return measure([&] { renderer.render(frames, out); });
}

/// The baseline for the mixer itself: four decoded stereo layers, a gain each, summed into
/// interleaved stereo and clamped; what any C++ program that mixes four buffers would do.
Cost plain_mix(const std::vector<DecodedAudio>& layers, std::int64_t frames, std::vector<float>& out) {
  const float gain = 0.5F;
  return measure([&] {
    out.assign(static_cast<std::size_t>(frames) * 2, 0.0F);
    for (const DecodedAudio& layer : layers) {
      const float* l = layer.left.data();
      const float* r = layer.right.data();
      const auto n = static_cast<std::int64_t>(std::min<long long>(frames, layer.frames()));
      for (std::int64_t i = 0; i < n; ++i) {
        out[static_cast<std::size_t>(2 * i)] += gain * l[i];
        out[static_cast<std::size_t>(2 * i + 1)] += gain * r[i];
      }
    }
    for (float& s : out) s = std::clamp(s, -1.0F, 1.0F);
  });
}

Cost end_to_end(const std::vector<std::string>& files, std::int64_t frames, const std::string& path) {
  return measure([&] {
    OfflineRenderer renderer = make_renderer();
    if (auto error = renderer.play("zone", four_files(files), -20.0, std::chrono::milliseconds(0)))
      fail(error->message);
    auto writer = WavWriter::open(path, static_cast<int>(kRate), 2);
    if (!writer) fail(writer.error().message);
    std::vector<float> chunk;
    for (std::int64_t done = 0; done < frames; done += 48000) {
      chunk.clear();
      renderer.render(std::min<std::int64_t>(48000, frames - done), chunk);
      if (auto error = writer.value()->write(chunk)) fail(error->message);
    }
    if (auto error = writer.value()->close()) fail(error->message);
  });
}

Cost sox_mix(const std::vector<std::string>& files, const std::string& path) {
  std::string command = "exec sox -V1 -m";
  for (const std::string& file : files) command += " -v 0.5 '" + file + "'";
  command += " -e floating-point -b 32 '" + path + "'";
  int rc = 0;
  const Cost cost = measure([&] { rc = std::system(command.c_str()); });
  if (rc != 0) fail("sox failed (" + std::to_string(rc) + "): " + command);
  return cost;
}

void report(const char* variant, double audio_seconds, Cost cost, float checksum) {
  std::printf(
      "{\"variant\": \"%s\", \"audio_seconds\": %.1f, \"seconds\": %.6f, \"cpu_seconds\": %.6f, "
      "\"x_realtime\": %.1f, \"x_realtime_cpu\": %.1f, \"checksum\": %.3f}\n",
      variant, audio_seconds, cost.wall, cost.cpu, audio_seconds / cost.wall, audio_seconds / cost.cpu,
      static_cast<double>(checksum));
  std::fflush(stdout);
}

float checksum(const std::vector<float>& samples) {
  float sum = 0.0F;
  for (std::size_t i = 0; i < samples.size(); i += 997) sum += samples[i];
  return sum;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 60.0;
  const int repetitions = argc > 2 ? std::atoi(argv[2]) : 5;
  const auto frames = static_cast<std::int64_t>(seconds * kRate);
  const auto dir = std::filesystem::temp_directory_path() / ("atmo-audio-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<std::string> files;
  std::vector<DecodedAudio> decoded;
  for (const char* id : {"rain", "sea", "forest", "wind"}) {
    files.push_back((dir / (std::string(id) + ".wav")).string());
    if (auto error = render_builtin_to_wav(id, seconds, -20.0, 1, files.back())) fail(error->message);
    auto audio = decode_audio_file(files.back(), kRate);
    if (!audio) fail(audio.error().message);
    decoded.push_back(std::move(audio).value());
  }

  // Touched once here, so no variant pays the output buffer's page faults and none runs cold.
  std::vector<float> out(static_cast<std::size_t>(frames) * 2, 0.0F);
  for (int rep = 0; rep < repetitions; ++rep) {
    {
      OfflineRenderer renderer = make_renderer();
      if (auto error = renderer.play("zone", four_files(files), -20.0, std::chrono::milliseconds(0))) {
        fail(error->message);
      }
      report("atmo mixer, 4 file layers", seconds, mix_in_memory(renderer, frames, out), checksum(out));
    }
    { report("plain C++ 4-layer mix", seconds, plain_mix(decoded, frames, out), checksum(out)); }
    report("atmo decode + mix + write WAV", seconds, end_to_end(files, frames, (dir / "atmo-mix.wav").string()), 0);
    report("sox -m 4 files", seconds, sox_mix(files, (dir / "sox-mix.wav").string()), 0);
    {
      OfflineRenderer renderer = make_renderer();
      if (auto error = renderer.play("zone", four_procedural(), -20.0, std::chrono::milliseconds(0))) {
        fail(error->message);
      }
      report("atmo mixer, 4 procedural layers", seconds, mix_in_memory(renderer, frames, out), checksum(out));
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}
