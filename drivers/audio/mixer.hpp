// The zone mixer: renders every zone's soundscape onto its channels of one output, with level
// fades, equal-power crossfades between soundscapes and the per-zone hard cap. The same mixer
// feeds the PortAudio stream (from the engine's producer thread) and the offline renderer.
// apply() and render() never allocate, lock or block; one thread drives a Mixer.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/audio/level.hpp"
#include "drivers/audio/zone_program.hpp"

namespace atmo::audio {

// A zone's place on the output device. cap_db is the hard level cap (dBFS RMS, see level.hpp):
// no command can make the zone louder.
struct ZoneOutput {
  std::string zone;
  int first_channel = 0;
  int channels = 2;
  double cap_db = -12.0;
};

// Small POD so it can travel through a lock-free queue.
struct MixerCommand {
  enum class Kind : std::uint8_t { SetLevel, Play, FadeOut, Tone };
  Kind kind = Kind::SetLevel;
  int zone = 0;
  double level_db = kSilenceDb;  // SetLevel, Play and Tone
  std::int64_t fade_frames = 0;
  // Level commands apply only when newer than the last level the zone applied: a Play that waited
  // for its program to load must not undo a set_level issued after it.
  std::uint64_t sequence = 0;
  ZoneProgram* program = nullptr;  // Play: the mixer takes ownership
  // Tone: a sine of this frequency at level_db for this many frames (0 ends a tone early).
  std::int64_t duration_frames = 0;
  double frequency_hz = 0.0;
};

class Mixer {
 public:
  static constexpr int kMaxProgramsPerZone = 4;  // one coming in, up to three fading out
  // Zero-length fades and level jumps still ramp over this many milliseconds: a step is a click.
  static constexpr double kMinimumRampMs = 5.0;
  // A test tone fades in and out over this long, and takes the soundscape's place meanwhile.
  static constexpr double kToneRampMs = 10.0;

  Mixer(double sample_rate, int output_channels, std::vector<ZoneOutput> zones, int max_block_frames);
  ~Mixer();
  Mixer(const Mixer&) = delete;
  Mixer& operator=(const Mixer&) = delete;

  void apply(const MixerCommand& command) noexcept;
  // Overwrites frames * output_channels interleaved samples.
  void render(float* interleaved, int frames) noexcept;

  // Programs the mixer has finished with. The owner must take them (and delete them off the
  // real-time path) after every apply() and render().
  ZoneProgram* take_retired() noexcept;

  int zone_index(std::string_view zone) const;  // -1 when unknown
  const std::vector<ZoneOutput>& zones() const { return outputs_; }
  int output_channels() const { return output_channels_; }
  double sample_rate() const { return sample_rate_; }
  std::int64_t frames_for(double milliseconds) const;

  // Safe from any thread: updated after every render().
  double published_level_db(int zone) const;
  std::uint64_t published_program_sequence(int zone) const;

  // For the driving thread (and tests): the zone's level state right now, and the largest
  // effective gain (zone gain x crossfade power) applied to any sample since the last call.
  struct ZoneProbe {
    double gain;
    double target_gain;
    double crossfade_power;  // sum of squared program amplitudes; 1 when steady, <= 1 always
    int programs;
    double peak_effective_gain;
  };
  ZoneProbe probe(int zone) noexcept;

 private:
  struct Source {
    ZoneProgram* program = nullptr;
    double start_amplitude = 0.0;
    bool incoming = false;
  };
  struct ZoneState {
    double cap_gain = 1.0;
    std::array<Source, kMaxProgramsPerZone> sources{};
    int source_count = 0;
    std::int64_t fade_length = 0;  // 0: no crossfade running
    std::int64_t fade_position = 0;
    double gain = 0.0;
    double gain_target = 0.0;
    double gain_step = 0.0;
    std::int64_t gain_remaining = 0;
    std::uint64_t level_sequence = 0;
    double peak_effective_gain = 0.0;
    // Test tone (a technician checking the speakers): while it lasts it replaces the soundscape,
    // which keeps running silently underneath and comes back when the tone ends.
    std::int64_t tone_remaining = 0;
    double tone_gain = 0.0;  // RMS gain of the sine, capped
    double tone_phase = 0.0;
    double tone_phase_step = 0.0;
    double tone_mix = 0.0;  // 0 = soundscape only, 1 = tone only; ramps over kToneRampMs
    std::atomic<double> published_level_db{kSilenceDb};
    std::atomic<std::uint64_t> published_sequence{0};
  };

  void set_level(ZoneState& zone, double level_db, std::int64_t fade_frames, std::uint64_t sequence) noexcept;
  void start_crossfade(ZoneState& zone, ZoneProgram* incoming, std::int64_t fade_frames) noexcept;
  void start_tone(ZoneState& zone, const MixerCommand& command) noexcept;
  void render_zone(ZoneState& zone, const ZoneOutput& output, float* interleaved, int frames) noexcept;
  void retire(ZoneProgram* program) noexcept;

  double sample_rate_;
  int output_channels_;
  std::vector<ZoneOutput> outputs_;
  int max_block_frames_;
  std::vector<std::unique_ptr<ZoneState>> zones_;
  std::vector<float> program_left_, program_right_, mix_left_, mix_right_, fade_cos_, fade_sin_;
  std::vector<ZoneProgram*> retired_;  // capacity reserved up front; never grows on the hot path
};

}  // namespace atmo::audio
