// Drives a real AudioEngine for the integration scripts: plays a built-in soundscape or a tone
// file, waits for the device, plays for a while and prints key=value lines the scripts check.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "drivers/audio/audio_engine.hpp"

using namespace atmo::audio;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void print_status(const EngineStatus& s, const char* prefix) {
  std::printf("%sstate=%s\n%sreason=%s\n%sdevice=%s\n%sdevice_attempts=%llu\n", prefix, to_string(s.state), prefix,
              s.reason.c_str(), prefix, s.device.c_str(), prefix, static_cast<unsigned long long>(s.device_attempts));
  for (const ZoneStatus& z : s.zones) {
    std::printf("%szone=%s soundscape=%s loaded=%d level_db=%.2f error=%s\n", prefix, z.zone.c_str(), z.soundscape.c_str(),
                z.loaded ? 1 : 0, z.level_db, z.error.c_str());
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3.0, level_db = -20.0, wait_playing_s = 10.0;
  int retry_ms = 500, frames = 512;
  std::string soundscape = "rain", tone_file, device;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const char* value = argv[i + 1];
    if (key == "--seconds") seconds = std::atof(value);
    else if (key == "--level-db") level_db = std::atof(value);
    else if (key == "--wait-playing-s") wait_playing_s = std::atof(value);
    else if (key == "--retry-ms") retry_ms = std::atoi(value);
    else if (key == "--frames") frames = std::atoi(value);
    else if (key == "--soundscape") soundscape = value;
    else if (key == "--tone-file") tone_file = value;
    else if (key == "--device") device = value;
    else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      return 2;
    }
  }

  EngineSettings settings;
  settings.device_name = device;
  settings.frames_per_buffer = frames;
  settings.retry_interval = std::chrono::milliseconds(retry_ms);
  settings.zones = {ZoneOutput{"main", 0, 2, -6.0}};
  SoundscapeSpec spec;
  if (tone_file.empty()) {
    const SoundscapeSpec* builtin = builtin_soundscape(soundscape);
    if (builtin == nullptr) return 2;
    spec = *builtin;
  } else {
    LayerSpec layer;
    layer.source = tone_file;
    spec = SoundscapeSpec{"tone", {layer}, 1};
    settings.calibration_seconds = 2.0;  // the tone file is a 2 s seamless loop
  }

  const auto t0 = Clock::now();
  AudioEngine engine(settings);
  engine.start();
  if (auto error = engine.play("main", spec, level_db, std::chrono::milliseconds(0))) {
    std::printf("play_error=%s\n", error->message.c_str());
    return 1;
  }
  EngineState last = EngineState::Stopped;
  std::string last_reason;
  bool ready = false;
  while (since(t0) < wait_playing_s) {
    const EngineStatus s = engine.status();
    if (s.state != last || s.reason != last_reason) {
      std::printf("t=%.2f state=%s reason=%s\n", since(t0), to_string(s.state), s.reason.c_str());
      std::fflush(stdout);
      last = s.state;
      last_reason = s.reason;
    }
    if (s.state == EngineState::Playing && !s.zones.empty() && s.zones[0].loaded) {
      ready = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (ready) {
    std::printf("ready t=%.2f\n", since(t0));
    std::fflush(stdout);
    const EngineStatus before = engine.status();
    const auto t_play = Clock::now();
    // Cumulative counters every 250 ms, so a script can judge a window of its choice (for example
    // one in which no other JACK client joined the graph).
    while (since(t_play) < seconds) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      const EngineStatus tick = engine.status();
      std::printf("tick since_ready=%.3f callbacks=%llu output_underflows=%llu ring_underruns=%llu\n", since(t_play),
                  static_cast<unsigned long long>(tick.callbacks - before.callbacks),
                  static_cast<unsigned long long>(tick.output_underflows - before.output_underflows),
                  static_cast<unsigned long long>(tick.ring_underruns - before.ring_underruns));
      std::fflush(stdout);
    }
    const EngineStatus after = engine.status();
    const double played = since(t_play);
    std::printf("played_s=%.3f\ncallbacks_during=%llu\nexpected_callbacks=%.1f\noutput_underflows_during=%llu\n"
                "ring_underruns_during=%llu\ncpu_load=%.4f\n",
                played, static_cast<unsigned long long>(after.callbacks - before.callbacks),
                played * settings.sample_rate / frames,
                static_cast<unsigned long long>(after.output_underflows - before.output_underflows),
                static_cast<unsigned long long>(after.ring_underruns - before.ring_underruns), after.cpu_load);
  }
  print_status(engine.status(), "final_");
  const auto t_stop = Clock::now();
  engine.stop();
  std::printf("stop_ms=%.0f\nstopped_state=%s\n", since(t_stop) * 1000.0, to_string(engine.status().state));
  return 0;
}
