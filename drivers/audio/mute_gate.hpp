// The fire-alarm mute at the very end of the chain. It sits after the ring buffer (in the
// PortAudio callback) so muting does not wait for audio already queued: the next buffer is
// silent. A 2 ms ramp inside that buffer avoids a click; unmuting ramps back the same way.
#pragma once

#include <algorithm>

namespace atmo::audio {

class MuteGate {
 public:
  explicit MuteGate(double sample_rate) : step_(1.0F / static_cast<float>(std::max(1.0, sample_rate * 0.002))) {}

  // Scales `frames` interleaved frames in place; allocation-free, lock-free, constant time per sample.
  void process(float* interleaved, int frames, int channels, bool muted) noexcept {
    const float target = muted ? 0.0F : 1.0F;
    if (gain_ == target && target == 1.0F) return;
    for (int i = 0; i < frames; ++i) {
      if (gain_ < target) gain_ = std::min(target, gain_ + step_);
      if (gain_ > target) gain_ = std::max(target, gain_ - step_);
      for (int c = 0; c < channels; ++c) interleaved[i * channels + c] *= gain_;
    }
  }

  float gain() const { return gain_; }

 private:
  float step_;
  float gain_ = 1.0F;
};

}  // namespace atmo::audio
