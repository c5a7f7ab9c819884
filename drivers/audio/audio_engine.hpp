// Live soundscape output through PortAudio. The controller (one thread) sends commands; a loader
// thread prepares soundscapes, a producer thread runs the mixer into a lock-free ring, and the
// PortAudio callback only copies from the ring, applies the fire-alarm mute and counts. With no
// usable device the engine says so (NoDevice) and re-initialises PortAudio on a timer.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/audio/mixer.hpp"
#include "drivers/audio/soundscape.hpp"
#include "zones/result.hpp"

namespace atmo::audio {

struct EngineSettings {
  std::string device_name;  // case-insensitive substring of a PortAudio device name; empty = default output
  int sample_rate = 48000;
  int frames_per_buffer = 512;
  int output_channels = 2;
  std::vector<ZoneOutput> zones;
  std::chrono::milliseconds retry_interval{5000};
  // Audio mixed ahead of the callback. Level commands take effect this much later (mute does
  // not: it acts in the callback); it is the margin the producer thread has against stalls.
  std::chrono::milliseconds buffer_ahead{200};
  double calibration_seconds = 30.0;  // see ProgramOptions
};

enum class EngineState { Stopped, NoDevice, Playing };
const char* to_string(EngineState state);

struct ZoneStatus {
  std::string zone;
  std::string soundscape;  // last requested; empty when none or faded out
  bool loaded = false;     // the mixer has it (false while it is being decoded / calibrated)
  double level_db = kSilenceDb;  // what the zone outputs now (dBFS RMS), cap included
  double cap_db = 0.0;
  std::string error;  // why the last play() of this zone failed to load, if it did
};

struct EngineStatus {
  EngineState state = EngineState::Stopped;
  std::string reason;  // for NoDevice: "no audio device: ..." with PortAudio's own error
  std::string device;  // the open device, "name (host API)"
  bool muted = false;
  std::uint64_t callbacks = 0;
  std::uint64_t output_underflows = 0;  // callbacks PortAudio flagged paOutputUnderflow
  std::uint64_t ring_underruns = 0;     // callbacks that found the ring short (zeros were played)
  std::uint64_t device_attempts = 0;    // PortAudio (re)initialisations
  double cpu_load = 0.0;                // Pa_GetStreamCpuLoad, 0..1
  std::vector<ZoneStatus> zones;
};

class AudioEngine {
 public:
  // Throws std::invalid_argument when the zone layout does not fit the settings (a start-up error).
  explicit AudioEngine(EngineSettings settings);
  ~AudioEngine();
  AudioEngine(const AudioEngine&) = delete;
  AudioEngine& operator=(const AudioEngine&) = delete;

  void start();
  void stop();  // returns within about a second; the engine can be started again

  // Equal-power crossfade from whatever the zone plays now to `spec` over `fade`, with the zone
  // level moving to `level_db` (clamped to the zone cap) over the same time. The soundscape is
  // prepared on the loader thread; errors found then appear in status().zones[i].error.
  std::optional<atmo::Error> play(std::string_view zone, const SoundscapeSpec& spec, double level_db,
                                  std::chrono::milliseconds fade);
  std::optional<atmo::Error> set_level(std::string_view zone, double level_db, std::chrono::milliseconds fade);
  std::optional<atmo::Error> fade_out(std::string_view zone, std::chrono::milliseconds fade);
  // A technician's test tone: a sine of `frequency_hz` at `level_db` (clamped to the zone cap) in
  // place of the zone's soundscape for `duration`, with 10 ms ramps; the soundscape then returns.
  std::optional<atmo::Error> test_tone(std::string_view zone, double level_db, double frequency_hz,
                                       std::chrono::milliseconds duration);
  // Fire alarm: silence from the next callback on, on every zone, until cleared.
  void set_muted(bool muted);

  EngineStatus status() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace atmo::audio
