// A soundscape made ready to play in one zone: its layers built, files decoded, and its level
// calibrated, so that the mixer only has to render and scale. Built on a loader thread (it decodes
// files and renders the calibration window); rendering is allocation-free.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "drivers/audio/layer_player.hpp"
#include "drivers/audio/soundscape.hpp"
#include "zones/result.hpp"

namespace atmo::audio {

// How a zone's stereo signal lands on its output channels: even channels get left, odd get right
// (a stereo pair, or L R L R... for more speakers); a mono zone gets the average of both.
inline float zone_channel_sample(float left, float right, int channel, int channels) {
  if (channels == 1) return 0.5F * (left + right);
  return channel % 2 == 0 ? left : right;
}

struct ProgramOptions {
  double sample_rate = 48000.0;
  int max_block_frames = 1024;
  int zone_channels = 2;
  // The level reference: the program is scaled so that the RMS over its first
  // `calibration_seconds` (as heard on the zone's channels) is exactly 0 dBFS before zone gain.
  double calibration_seconds = 30.0;
  const std::atomic<bool>* cancel = nullptr;  // checked while calibrating so shutdown is prompt
};

class ZoneProgram {
 public:
  ZoneProgram(std::string id, std::vector<std::unique_ptr<LayerPlayer>> layers, int max_block_frames);

  // Overwrites `frames` (any count) of left/right with the program at unity normalisation.
  void render(float* left, float* right, int frames) noexcept;

  const std::string& id() const { return id_; }
  // Gain that brings the program to 0 dBFS RMS (see ProgramOptions::calibration_seconds).
  float normalisation() const { return normalisation_; }
  void set_normalisation(float gain) { normalisation_ = gain; }

 private:
  std::string id_;
  std::vector<std::unique_ptr<LayerPlayer>> layers_;
  int max_block_frames_;
  float normalisation_ = 1.0F;
};

atmo::Result<std::unique_ptr<ZoneProgram>> prepare_zone_program(const SoundscapeSpec& spec,
                                                                 const ProgramOptions& options);

}  // namespace atmo::audio
