// The daemon's sound: turns the scene engine's per-zone sound plans into audio engine commands
// (crossfade to a soundscape, level, instant mute for the fire alarm) and builds the engine's zone
// layout from the venue. Built-in and venue-defined soundscapes are both resolved here.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "controller/scene_engine.hpp"
#include "drivers/audio/audio_engine.hpp"
#include "zones/venue.hpp"

namespace atmo::controller {

/// The engine settings a venue asks for: device, rate, channels, one output per zone with its cap.
audio::EngineSettings audio_settings_for(const zones::Venue& venue);

/// A venue soundscape (or a built-in one) as the audio engine's spec. Errors: unknown id.
Result<audio::SoundscapeSpec> soundscape_for(const zones::Venue& venue, const std::string& id);

/// A test tone as the engine plays it.
struct TestTone {
  double level_db = 0.0;  ///< after the zone cap
  double frequency_hz = 0.0;
  std::string device;     ///< "name (host API)"
};

class AudioOutput final : public SoundSink {
 public:
  /// `engine` may be null (audio disabled): plans are then only remembered for status.
  /// `time_rate`: venue seconds per real second (the venue clock's rate); crossfades last
  /// their venue time.
  AudioOutput(std::shared_ptr<const zones::Venue> venue, std::unique_ptr<audio::AudioEngine> engine,
              double time_rate = 1.0);
  ~AudioOutput() override;

  void start();
  void stop();
  void set_sound(std::string_view zone, const zones::SoundPlan& plan) override;
  /// A staff adjustment of a zone's level (the engine clamps it to the zone's cap); it holds
  /// until the zone's next scene. Errors: audio disabled, or the engine refused (unknown zone).
  Status set_level(std::string_view zone, double level_db);

  /// A technician's check of a zone's speakers: a 1 kHz sine at `level_db` (clamped to the zone's
  /// cap) in place of the soundscape for `duration`; the soundscape then returns by itself.
  /// Errors: audio disabled, no audio device open, muted by the fire alarm, a zone without audio.
  Result<TestTone> play_test_tone(std::string_view zone, double level_db, std::chrono::milliseconds duration);
  static constexpr double kTestToneHz = 1000.0;

  /// The engine's status; with audio disabled, a NoDevice status that says so.
  audio::EngineStatus status() const;
  /// Also tell someone else (the in-process simulator's noise model in the demo).
  void set_listener(std::function<void(std::string_view zone, std::optional<double> level_db)> listener) {
    listener_ = std::move(listener);
  }

 private:
  std::shared_ptr<const zones::Venue> venue_;
  std::unique_ptr<audio::AudioEngine> engine_;
  std::function<void(std::string_view, std::optional<double>)> listener_;
  double time_rate_ = 1.0;
  bool muted_ = false;
};

}  // namespace atmo::controller
