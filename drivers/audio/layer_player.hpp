// Plays one layer of a soundscape: a looped bed or randomly timed one-shots with their gain and
// pan. Built off the audio thread with every buffer and voice preallocated; render_add() is
// allocation-free and sample-accurate, so output does not depend on the block size.
#pragma once

#include <cstdint>
#include <memory>

#include "drivers/audio/audio_file_decoder.hpp"
#include "drivers/audio/soundscape.hpp"
#include "zones/result.hpp"

namespace atmo::audio {

class LayerPlayer {
 public:
  virtual ~LayerPlayer() = default;
  // Adds `frames` (at most the max_block_frames given at creation) into left/right.
  virtual void render_add(float* left, float* right, int frames) noexcept = 0;
};

// Equal-power pan: both gains are 1 at the centre; gl^2 + gr^2 = 2 everywhere, so moving a source
// does not change its power.
struct PanGains {
  float left;
  float right;
};
PanGains pan_gains(double pan);

// `decoded` is the file's audio when `layer.source` is a file (shared between programs), else null.
atmo::Result<std::unique_ptr<LayerPlayer>> make_layer_player(const LayerSpec& layer, std::uint64_t seed,
                                                              double sample_rate, int max_block_frames,
                                                              std::shared_ptr<const DecodedAudio> decoded);

}  // namespace atmo::audio
