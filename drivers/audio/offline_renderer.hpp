// Renders zones to memory or a WAV file with the engine's own mixer and no PortAudio: for tests,
// for `atmo audio render`, and for listening to a soundscape before a venue hears it. Commands
// take effect at the next rendered sample, with the same clamping, fades and mute as live output.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/audio/mixer.hpp"
#include "drivers/audio/mute_gate.hpp"
#include "drivers/audio/soundscape.hpp"
#include "zones/result.hpp"

namespace atmo::audio {

struct OfflineSettings {
  double sample_rate = 48000.0;
  int output_channels = 2;
  std::vector<ZoneOutput> zones;
  int block_frames = 512;
  double calibration_seconds = 30.0;  // see ProgramOptions
};

class OfflineRenderer {
 public:
  explicit OfflineRenderer(OfflineSettings settings);

  // Prepares the soundscape synchronously (decoding and calibration happen here).
  std::optional<atmo::Error> play(std::string_view zone, const SoundscapeSpec& spec, double level_db,
                                  std::chrono::milliseconds fade);
  std::optional<atmo::Error> set_level(std::string_view zone, double level_db, std::chrono::milliseconds fade);
  std::optional<atmo::Error> fade_out(std::string_view zone, std::chrono::milliseconds fade);
  std::optional<atmo::Error> test_tone(std::string_view zone, double level_db, double frequency_hz,
                                       std::chrono::milliseconds duration);
  void set_muted(bool muted) { muted_ = muted; }

  // Renders `frames` frames and appends them (interleaved) to `out`.
  void render(std::int64_t frames, std::vector<float>& out);
  std::vector<float> render(std::int64_t frames);

  Mixer& mixer() { return mixer_; }
  const OfflineSettings& settings() const { return settings_; }

 private:
  void collect_retired();

  OfflineSettings settings_;
  Mixer mixer_;
  MuteGate gate_;
  bool muted_ = false;
  std::uint64_t sequence_ = 0;
};

// `atmo audio render`: one built-in soundscape on a stereo output (cap 0 dBFS) to a WAV file.
std::optional<atmo::Error> render_builtin_to_wav(std::string_view soundscape, double seconds, double level_db,
                                                 std::uint64_t seed, const std::string& path,
                                                 double sample_rate = 48000.0);

}  // namespace atmo::audio
