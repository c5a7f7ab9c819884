#include "drivers/audio/mixer.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace atmo::audio {

Mixer::Mixer(double sample_rate, int output_channels, std::vector<ZoneOutput> zones, int max_block_frames)
    : sample_rate_(sample_rate),
      output_channels_(output_channels),
      outputs_(std::move(zones)),
      max_block_frames_(max_block_frames) {
  if (sample_rate_ < 8000.0 || output_channels_ < 1 || max_block_frames_ < 1) {
    throw std::invalid_argument("mixer needs a sample rate >= 8000 Hz, >= 1 channel and a block size >= 1");
  }
  for (const ZoneOutput& out : outputs_) {
    if (out.channels < 1 || out.first_channel < 0 || out.first_channel + out.channels > output_channels_) {
      throw std::invalid_argument("zone '" + out.zone + "' uses channels " + std::to_string(out.first_channel) + ".." +
                                  std::to_string(out.first_channel + out.channels - 1) + " but the output has " +
                                  std::to_string(output_channels_));
    }
    if (zone_index(out.zone) != static_cast<int>(zones_.size())) {
      throw std::invalid_argument("zone '" + out.zone + "' is listed twice");
    }
    auto state = std::make_unique<ZoneState>();
    state->cap_gain = db_to_gain(out.cap_db);
    zones_.push_back(std::move(state));
  }
  const auto block = static_cast<std::size_t>(max_block_frames_);
  for (auto* buffer : {&program_left_, &program_right_, &mix_left_, &mix_right_, &fade_cos_, &fade_sin_}) {
    buffer->assign(block, 0.0F);
  }
  retired_.reserve(zones_.size() * (kMaxProgramsPerZone + 1) + 16);
}

Mixer::~Mixer() {
  for (auto& zone : zones_) {
    for (int i = 0; i < zone->source_count; ++i) delete zone->sources[static_cast<std::size_t>(i)].program;
  }
  for (ZoneProgram* program : retired_) delete program;
}

int Mixer::zone_index(std::string_view zone) const {
  for (std::size_t i = 0; i < outputs_.size(); ++i) {
    if (outputs_[i].zone == zone) return static_cast<int>(i);
  }
  return -1;
}

std::int64_t Mixer::frames_for(double milliseconds) const {
  return static_cast<std::int64_t>(std::llround(std::max(0.0, milliseconds) * sample_rate_ / 1000.0));
}

double Mixer::published_level_db(int zone) const {
  return zones_.at(static_cast<std::size_t>(zone))->published_level_db.load(std::memory_order_relaxed);
}

std::uint64_t Mixer::published_program_sequence(int zone) const {
  return zones_.at(static_cast<std::size_t>(zone))->published_sequence.load(std::memory_order_relaxed);
}

ZoneProgram* Mixer::take_retired() noexcept {
  if (retired_.empty()) return nullptr;
  ZoneProgram* program = retired_.back();
  retired_.pop_back();
  return program;
}

void Mixer::retire(ZoneProgram* program) noexcept {
  if (program == nullptr) return;
  if (retired_.size() < retired_.capacity()) {
    retired_.push_back(program);
  } else {
    delete program;  // only if the owner stopped draining; better a late free than a leak
  }
}

void Mixer::apply(const MixerCommand& command) noexcept {
  if (command.zone < 0 || command.zone >= static_cast<int>(zones_.size())) {
    retire(command.program);
    return;
  }
  ZoneState& zone = *zones_[static_cast<std::size_t>(command.zone)];
  switch (command.kind) {
    case MixerCommand::Kind::SetLevel:
      set_level(zone, command.level_db, command.fade_frames, command.sequence);
      break;
    case MixerCommand::Kind::Play:
      set_level(zone, command.level_db, command.fade_frames, command.sequence);
      start_crossfade(zone, command.program, command.fade_frames);
      zone.published_sequence.store(command.sequence, std::memory_order_relaxed);
      break;
    case MixerCommand::Kind::FadeOut:
      start_crossfade(zone, nullptr, command.fade_frames);
      zone.published_sequence.store(command.sequence, std::memory_order_relaxed);
      break;
    case MixerCommand::Kind::Tone:
      start_tone(zone, command);
      break;
  }
}

void Mixer::start_tone(ZoneState& zone, const MixerCommand& command) noexcept {
  zone.tone_remaining = std::max<std::int64_t>(0, command.duration_frames);
  // The cap holds for the tone too; a new tone during a tone keeps the phase, so no click.
  zone.tone_gain = std::min(db_to_gain(std::isnan(command.level_db) ? kSilenceDb : command.level_db), zone.cap_gain);
  const double frequency = std::clamp(std::isnan(command.frequency_hz) ? 1000.0 : command.frequency_hz, 20.0,
                                      0.45 * sample_rate_);
  zone.tone_phase_step = 2.0 * std::numbers::pi * frequency / sample_rate_;
}

void Mixer::set_level(ZoneState& zone, double level_db, std::int64_t fade_frames, std::uint64_t sequence) noexcept {
  if (sequence < zone.level_sequence) return;
  zone.level_sequence = sequence;
  // The cap is applied here, on the only path into the gain: every command is clamped.
  const double target = std::min(db_to_gain(std::isnan(level_db) ? kSilenceDb : level_db), zone.cap_gain);
  const std::int64_t frames = std::max<std::int64_t>(fade_frames, frames_for(kMinimumRampMs));
  zone.gain_target = target;
  zone.gain_remaining = frames;
  zone.gain_step = (target - zone.gain) / static_cast<double>(frames);
}

void Mixer::start_crossfade(ZoneState& zone, ZoneProgram* incoming, std::int64_t fade_frames) noexcept {
  // Freeze every sounding program at its present amplitude; all of them fade out from there.
  const double theta = zone.fade_length > 0 ? 0.5 * std::numbers::pi * static_cast<double>(zone.fade_position) /
                                                  static_cast<double>(zone.fade_length)
                                            : 0.0;
  for (int i = 0; i < zone.source_count; ++i) {
    Source& source = zone.sources[static_cast<std::size_t>(i)];
    if (zone.fade_length > 0) {
      source.start_amplitude = source.incoming ? std::sin(theta) : source.start_amplitude * std::cos(theta);
    }
    source.incoming = false;
  }
  // Drop programs already inaudible, and the quietest one if the zone is full.
  int kept = 0;
  for (int i = 0; i < zone.source_count; ++i) {
    Source& source = zone.sources[static_cast<std::size_t>(i)];
    if (source.start_amplitude < 1e-4) {
      retire(source.program);
    } else {
      zone.sources[static_cast<std::size_t>(kept++)] = source;
    }
  }
  zone.source_count = kept;
  if (incoming != nullptr && zone.source_count == kMaxProgramsPerZone) {
    int quietest = 0;
    for (int i = 1; i < zone.source_count; ++i) {
      if (zone.sources[static_cast<std::size_t>(i)].start_amplitude <
          zone.sources[static_cast<std::size_t>(quietest)].start_amplitude) {
        quietest = i;
      }
    }
    retire(zone.sources[static_cast<std::size_t>(quietest)].program);
    zone.sources[static_cast<std::size_t>(quietest)] = zone.sources[static_cast<std::size_t>(zone.source_count - 1)];
    --zone.source_count;
  }
  if (incoming != nullptr) zone.sources[static_cast<std::size_t>(zone.source_count++)] = Source{incoming, 0.0, true};
  zone.fade_length = std::max<std::int64_t>(fade_frames, frames_for(kMinimumRampMs));
  zone.fade_position = 0;
}

void Mixer::render(float* interleaved, int frames) noexcept {
  std::fill(interleaved, interleaved + static_cast<std::ptrdiff_t>(frames) * output_channels_, 0.0F);
  for (int start = 0; start < frames; start += max_block_frames_) {
    const int n = std::min(max_block_frames_, frames - start);
    float* block = interleaved + static_cast<std::ptrdiff_t>(start) * output_channels_;
    for (std::size_t z = 0; z < zones_.size(); ++z) render_zone(*zones_[z], outputs_[z], block, n);
  }
  // Zones may share channels; the sum must still never exceed full scale.
  for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(frames) * output_channels_; ++i) {
    interleaved[i] = std::clamp(interleaved[i], -1.0F, 1.0F);
  }
}

void Mixer::render_zone(ZoneState& zone, const ZoneOutput& output, float* interleaved, int frames) noexcept {
  std::fill_n(mix_left_.begin(), frames, 0.0F);
  std::fill_n(mix_right_.begin(), frames, 0.0F);

  // Crossfade shape for this block: programs coming in follow sin, going out follow cos (times
  // their amplitude when the fade began), so the summed power of uncorrelated programs stays 1.
  const bool fading = zone.fade_length > 0;
  if (fading) {
    for (int i = 0; i < frames; ++i) {
      const double position = std::min<double>(static_cast<double>(zone.fade_position + i + 1),
                                               static_cast<double>(zone.fade_length));
      const double theta = 0.5 * std::numbers::pi * position / static_cast<double>(zone.fade_length);
      fade_cos_[static_cast<std::size_t>(i)] = static_cast<float>(std::cos(theta));
      fade_sin_[static_cast<std::size_t>(i)] = static_cast<float>(std::sin(theta));
    }
  }
  for (int s = 0; s < zone.source_count; ++s) {
    const Source& source = zone.sources[static_cast<std::size_t>(s)];
    source.program->render(program_left_.data(), program_right_.data(), frames);
    const float normalisation = source.program->normalisation();
    const auto start = static_cast<float>(source.start_amplitude);
    for (int i = 0; i < frames; ++i) {
      const auto k = static_cast<std::size_t>(i);
      const float amplitude = !fading ? start : (source.incoming ? fade_sin_[k] : start * fade_cos_[k]);
      mix_left_[k] += amplitude * normalisation * program_left_[k];
      mix_right_[k] += amplitude * normalisation * program_right_[k];
    }
  }
  // Summed power of the programs' amplitudes at a sample. Within a fade it is A cos^2 + B sin^2
  // (A = power of the outgoing amplitudes, B = 1 with an incoming program), monotonic in the
  // angle, so the block's maximum is at its first or last sample.
  auto power_at = [&](int i) {
    double power = 0.0;
    for (int s = 0; s < zone.source_count; ++s) {
      const Source& source = zone.sources[static_cast<std::size_t>(s)];
      const auto k = static_cast<std::size_t>(i);
      const double amplitude =
          !fading ? source.start_amplitude : (source.incoming ? fade_sin_[k] : source.start_amplitude * fade_cos_[k]);
      power += amplitude * amplitude;
    }
    return power;
  };
  const double power_max = std::max(power_at(0), power_at(frames - 1));
  double power_end = power_at(frames - 1);
  if (fading) {
    zone.fade_position += frames;
    if (zone.fade_position >= zone.fade_length) {
      int kept = 0;
      for (int s = 0; s < zone.source_count; ++s) {
        Source source = zone.sources[static_cast<std::size_t>(s)];
        if (source.incoming) {
          source.incoming = false;
          source.start_amplitude = 1.0;
          zone.sources[static_cast<std::size_t>(kept++)] = source;
        } else {
          retire(source.program);
        }
      }
      zone.source_count = kept;
      zone.fade_length = 0;
      zone.fade_position = 0;
      power_end = kept > 0 ? 1.0 : 0.0;
    }
  }

  double peak_gain = zone.gain;
  // A sine at RMS gain g has amplitude g * sqrt(2) (level.hpp: 0 dBFS is a full-scale square).
  const bool tone = zone.tone_remaining > 0 || zone.tone_mix > 0.0;
  const double tone_amplitude = std::min(zone.tone_gain * std::numbers::sqrt2, 1.0);
  const double tone_ramp_step = 1.0 / static_cast<double>(std::max<std::int64_t>(1, frames_for(kToneRampMs)));
  for (int i = 0; i < frames; ++i) {
    if (zone.gain_remaining > 0) {
      zone.gain += zone.gain_step;
      if (--zone.gain_remaining == 0) zone.gain = zone.gain_target;
    }
    peak_gain = std::max(peak_gain, zone.gain);
    const auto gain = static_cast<float>(zone.gain);
    float left = gain * mix_left_[static_cast<std::size_t>(i)];
    float right = gain * mix_right_[static_cast<std::size_t>(i)];
    if (tone) {
      if (zone.tone_remaining > 0) {
        --zone.tone_remaining;
        zone.tone_mix = std::min(1.0, zone.tone_mix + tone_ramp_step);
      } else {
        zone.tone_mix = std::max(0.0, zone.tone_mix - tone_ramp_step);
      }
      const auto sine = static_cast<float>(zone.tone_mix * tone_amplitude * std::sin(zone.tone_phase));
      zone.tone_phase += zone.tone_phase_step;
      if (zone.tone_phase >= 2.0 * std::numbers::pi) zone.tone_phase -= 2.0 * std::numbers::pi;
      const auto keep = static_cast<float>(1.0 - zone.tone_mix);
      left = keep * left + sine;
      right = keep * right + sine;
    }
    float* frame = interleaved + static_cast<std::ptrdiff_t>(i) * output_channels_ + output.first_channel;
    for (int c = 0; c < output.channels; ++c) frame[c] += zone_channel_sample(left, right, c, output.channels);
  }
  const double soundscape_gain = zone.gain * std::sqrt(power_end);
  zone.peak_effective_gain = std::max(zone.peak_effective_gain, peak_gain * std::sqrt(power_max));
  if (tone) zone.peak_effective_gain = std::max(zone.peak_effective_gain, zone.tone_gain);
  const double heard = zone.tone_mix * zone.tone_gain + (1.0 - zone.tone_mix) * soundscape_gain;
  zone.published_level_db.store(gain_to_db(heard), std::memory_order_relaxed);
}

Mixer::ZoneProbe Mixer::probe(int index) noexcept {
  ZoneState& zone = *zones_[static_cast<std::size_t>(index)];
  double power = 0.0;
  const double theta = zone.fade_length > 0 ? 0.5 * std::numbers::pi * static_cast<double>(zone.fade_position) /
                                                  static_cast<double>(zone.fade_length)
                                            : 0.0;
  for (int s = 0; s < zone.source_count; ++s) {
    const Source& source = zone.sources[static_cast<std::size_t>(s)];
    const double amplitude = zone.fade_length == 0 ? source.start_amplitude
                             : source.incoming     ? std::sin(theta)
                                                   : source.start_amplitude * std::cos(theta);
    power += amplitude * amplitude;
  }
  ZoneProbe result{zone.gain, zone.gain_target, power, zone.source_count, zone.peak_effective_gain};
  zone.peak_effective_gain = 0.0;
  return result;
}

}  // namespace atmo::audio
