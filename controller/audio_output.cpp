#include "controller/audio_output.hpp"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "zones/scene_plan.hpp"

namespace atmo::controller {

audio::EngineSettings audio_settings_for(const zones::Venue& venue) {
  const auto& a = venue.config().audio();
  audio::EngineSettings s;
  s.device_name = a.device();
  if (a.sample_rate()) s.sample_rate = static_cast<int>(a.sample_rate());
  if (a.frames_per_buffer()) s.frames_per_buffer = static_cast<int>(a.frames_per_buffer());
  s.output_channels = a.channels() ? static_cast<int>(a.channels()) : 2;
  for (const auto& zone : venue.zones()) {
    if (zone.audio_output().empty()) continue;
    for (const auto& out : a.outputs()) {
      if (out.id() != zone.audio_output()) continue;
      s.zones.push_back(audio::ZoneOutput{zone.id(), static_cast<int>(out.first_channel()),
                                          out.channels() ? static_cast<int>(out.channels()) : 2,
                                          zones::audio_cap_db(zone.safety())});
    }
  }
  return s;
}

Result<audio::SoundscapeSpec> soundscape_for(const zones::Venue& venue, const std::string& id) {
  for (const auto& s : venue.config().soundscapes()) {
    if (s.id() != id) continue;
    audio::SoundscapeSpec spec;
    spec.id = s.id();
    for (const auto& l : s.layers()) {
      audio::LayerSpec layer;
      layer.kind = l.one_shot() ? audio::LayerKind::OneShot : audio::LayerKind::Bed;
      layer.source = l.has_generator() ? l.generator() : l.file();
      layer.gain_db = l.gain_db();
      if (l.has_interval_s()) {
        layer.interval_min_s = l.interval_s().min();
        layer.interval_max_s = l.interval_s().max();
      }
      if (l.has_gain_range_db()) {
        layer.gain_min_db = l.gain_range_db().min();
        layer.gain_max_db = l.gain_range_db().max();
      }
      if (l.has_pan()) {
        layer.pan_min = l.pan().min();
        layer.pan_max = l.pan().max();
      }
      layer.seed = l.seed();
      spec.layers.push_back(std::move(layer));
    }
    return spec;
  }
  if (const auto* builtin = audio::builtin_soundscape(id)) return *builtin;
  return make_error("unknown soundscape '" + id + "'");
}

AudioOutput::AudioOutput(std::shared_ptr<const zones::Venue> venue, std::unique_ptr<audio::AudioEngine> engine,
                         double time_rate)
    : venue_(std::move(venue)), engine_(std::move(engine)), time_rate_(time_rate > 0 ? time_rate : 1.0) {}

AudioOutput::~AudioOutput() { stop(); }

void AudioOutput::start() {
  if (engine_) engine_->start();
}

void AudioOutput::stop() {
  if (engine_) engine_->stop();
}

void AudioOutput::set_sound(std::string_view zone, const zones::SoundPlan& plan) {
  // Scene fades are venue time; the engine plays in real time.
  const auto fade = std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(plan.fade_ms) / time_rate_));
  const bool silent = plan.muted || plan.soundscape.empty();
  if (listener_) listener_(zone, silent ? std::nullopt : plan.level_db);
  if (!engine_) return;
  // The fire alarm mutes the whole engine at once (in the callback); any zone's plan says so.
  if (plan.muted != muted_) {
    muted_ = plan.muted;
    engine_->set_muted(muted_);
  }
  if (plan.muted) return;
  if (plan.soundscape.empty()) {
    if (auto err = engine_->fade_out(zone, fade)) spdlog::warn("audio {}: {}", zone, err->message);
    return;
  }
  auto spec = soundscape_for(*venue_, plan.soundscape);
  if (!spec) {
    spdlog::warn("audio {}: {}", zone, spec.error().message);
    return;
  }
  // A scene that names a soundscape but no level plays it calmly: 10 dB under the zone cap.
  const double level = std::min(plan.level_db.value_or(plan.cap_db - 10), plan.cap_db);
  if (auto err = engine_->play(zone, *spec, level, fade)) spdlog::warn("audio {}: {}", zone, err->message);
}

Status AudioOutput::set_level(std::string_view zone, double level_db) {
  if (listener_) listener_(zone, level_db);
  if (!engine_) return make_error("audio is disabled on this controller (--no-audio)");
  if (auto err = engine_->set_level(zone, level_db, std::chrono::seconds(1))) return *err;
  return ok_status();
}

Result<TestTone> AudioOutput::play_test_tone(std::string_view zone, double level_db, std::chrono::milliseconds duration) {
  if (!engine_) return make_error("audio is disabled on this controller (--no-audio)");
  const auto status = engine_->status();
  if (status.state != audio::EngineState::Playing) {
    return make_error(status.reason.empty() ? "the audio output is not playing" : status.reason);
  }
  if (status.muted) return make_error("the audio output is muted by the fire alarm");
  const auto* z = venue_->zone(zone);
  if (!z) return make_error("no zone '" + std::string(zone) + "'");
  const double level = std::min(level_db, zones::audio_cap_db(z->safety()));
  if (auto err = engine_->test_tone(zone, level, kTestToneHz, duration)) return *err;
  spdlog::info("audio {}: test tone {} Hz at {} dB for {} ms", zone, kTestToneHz, level, duration.count());
  return TestTone{level, kTestToneHz, status.device};
}

audio::EngineStatus AudioOutput::status() const {
  if (engine_) return engine_->status();
  audio::EngineStatus s;
  s.state = audio::EngineState::NoDevice;
  s.reason = "audio disabled (--no-audio)";
  return s;
}

}  // namespace atmo::controller
