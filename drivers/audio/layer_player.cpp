#include "drivers/audio/layer_player.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "drivers/audio/deterministic_rng.hpp"
#include "drivers/audio/level.hpp"
#include "drivers/audio/procedural_generators.hpp"

namespace atmo::audio {
namespace {

// A file bed: the decoded file, looped seamlessly if the file itself is a seamless loop. Added
// straight from the decoded buffers in runs up to the loop point, so the copy vectorises and the
// samples are touched once (a procedural bed renders into a scratch block first, see BedLayer).
class FileBedLayer final : public LayerPlayer {
 public:
  FileBedLayer(std::shared_ptr<const DecodedAudio> audio, float gain, PanGains pan)
      : audio_(std::move(audio)), gain_left_(gain * pan.left), gain_right_(gain * pan.right) {}

  void render_add(float* left, float* right, int frames) noexcept override {
    const long long length = audio_->frames();
    if (length == 0) return;
    const float* source_left = audio_->left.data();
    const float* source_right = audio_->right.data();
    const float gain_left = gain_left_;
    const float gain_right = gain_right_;
    for (int done = 0; done < frames;) {
      const int n = static_cast<int>(std::min<long long>(frames - done, length - position_));
      const float* l = source_left + position_;
      const float* r = source_right + position_;
      float* out_left = left + done;
      float* out_right = right + done;
      for (int i = 0; i < n; ++i) out_left[i] += gain_left * l[i];
      for (int i = 0; i < n; ++i) out_right[i] += gain_right * r[i];
      position_ += n;
      if (position_ >= length) position_ = 0;
      done += n;
    }
  }

 private:
  std::shared_ptr<const DecodedAudio> audio_;
  float gain_left_;
  float gain_right_;
  long long position_ = 0;
};

// A file one-shot: the decoded file once from the start; the seed has nothing to vary.
class FileVoice final : public OneShotVoice {
 public:
  explicit FileVoice(std::shared_ptr<const DecodedAudio> audio) : audio_(std::move(audio)) {
    position_ = audio_->frames();
  }
  void trigger(std::uint64_t /*seed*/) noexcept override { position_ = 0; }
  void render_add(float* left, float* right, int frames, float gain_left, float gain_right) noexcept override {
    const long long length = audio_->frames();
    for (int i = 0; i < frames && position_ < length; ++i, ++position_) {
      const auto index = static_cast<std::size_t>(position_);
      left[i] += gain_left * audio_->left[index];
      right[i] += gain_right * audio_->right[index];
    }
  }
  bool active() const noexcept override { return position_ < audio_->frames(); }
  double max_duration_seconds() const noexcept override { return 0.0; }  // pool sized by the caller

 private:
  std::shared_ptr<const DecodedAudio> audio_;
  long long position_ = 0;
};

class BedLayer final : public LayerPlayer {
 public:
  BedLayer(std::unique_ptr<BedGenerator> generator, float gain, PanGains pan, int max_block_frames)
      : generator_(std::move(generator)),
        gain_left_(gain * pan.left),
        gain_right_(gain * pan.right),
        left_(static_cast<std::size_t>(max_block_frames)),
        right_(static_cast<std::size_t>(max_block_frames)) {}

  void render_add(float* left, float* right, int frames) noexcept override {
    generator_->render(left_.data(), right_.data(), frames);
    // Locals: stores through `left` could otherwise alias the members and force reloads.
    const float gain_left = gain_left_;
    const float gain_right = gain_right_;
    const float* block_left = left_.data();
    const float* block_right = right_.data();
    for (int i = 0; i < frames; ++i) left[i] += gain_left * block_left[i];
    for (int i = 0; i < frames; ++i) right[i] += gain_right * block_right[i];
  }

 private:
  std::unique_ptr<BedGenerator> generator_;
  float gain_left_;
  float gain_right_;
  std::vector<float> left_;
  std::vector<float> right_;
};

class OneShotLayer final : public LayerPlayer {
 public:
  struct Slot {
    std::unique_ptr<OneShotVoice> voice;
    float gain_left = 0.0F;
    float gain_right = 0.0F;
  };

  OneShotLayer(const LayerSpec& spec, std::uint64_t seed, double sample_rate, std::vector<Slot> slots)
      : spec_(spec), rate_(sample_rate), rng_(seed), slots_(std::move(slots)) {
    // The first event comes within the shortest interval, so a soundscape reaches its typical
    // density (and level) soon after it starts.
    until_next_ = static_cast<long long>(rng_.uniform(0.0, spec_.interval_min_s) * rate_);
  }

  void render_add(float* left, float* right, int frames) noexcept override {
    int position = 0;
    while (position < frames) {
      if (until_next_ <= 0) {
        fire();
        until_next_ += std::max(1LL, static_cast<long long>(rng_.uniform(spec_.interval_min_s, spec_.interval_max_s) * rate_));
      }
      const int n = static_cast<int>(std::min<long long>(frames - position, until_next_));
      for (Slot& slot : slots_) {
        if (slot.voice->active()) slot.voice->render_add(left + position, right + position, n, slot.gain_left, slot.gain_right);
      }
      until_next_ -= n;
      position += n;
    }
  }

 private:
  void fire() noexcept {
    // Draw every parameter even when no voice is free, so later events do not depend on overlap.
    const double gain_db = spec_.gain_db + rng_.uniform(spec_.gain_min_db, spec_.gain_max_db);
    const double pan = rng_.uniform(spec_.pan_min, spec_.pan_max);
    const std::uint64_t voice_seed = rng_.next();
    for (Slot& slot : slots_) {
      if (slot.voice->active()) continue;
      const auto gain = static_cast<float>(db_to_gain(gain_db));
      const PanGains g = pan_gains(pan);
      slot.gain_left = gain * g.left;
      slot.gain_right = gain * g.right;
      slot.voice->trigger(voice_seed);
      return;
    }
    // All voices busy: the event is dropped rather than cutting a sounding one off (a click).
  }

  LayerSpec spec_;
  double rate_;
  DeterministicRng rng_;
  std::vector<Slot> slots_;
  long long until_next_ = 0;
};

}  // namespace

PanGains pan_gains(double pan) {
  const double angle = (std::clamp(pan, -1.0, 1.0) + 1.0) * std::numbers::pi / 4.0;
  return {static_cast<float>(std::cos(angle) * std::numbers::sqrt2), static_cast<float>(std::sin(angle) * std::numbers::sqrt2)};
}

atmo::Result<std::unique_ptr<LayerPlayer>> make_layer_player(const LayerSpec& layer, std::uint64_t seed,
                                                              double sample_rate, int max_block_frames,
                                                              std::shared_ptr<const DecodedAudio> decoded) {
  const auto gain = static_cast<float>(db_to_gain(layer.gain_db));
  if (layer.kind == LayerKind::Bed) {
    const PanGains pan = pan_gains(0.5 * (layer.pan_min + layer.pan_max));
    if (decoded) return std::unique_ptr<LayerPlayer>(std::make_unique<FileBedLayer>(decoded, gain, pan));
    std::unique_ptr<BedGenerator> generator = make_procedural_bed(layer.source, seed, sample_rate);
    if (!generator) return atmo::make_error("'" + layer.source + "' is not a bed generator");
    return std::unique_ptr<LayerPlayer>(std::make_unique<BedLayer>(std::move(generator), gain, pan, max_block_frames));
  }
  auto make_voice = [&]() -> std::unique_ptr<OneShotVoice> {
    if (decoded) return std::make_unique<FileVoice>(decoded);
    return make_procedural_voice(layer.source, sample_rate);
  };
  std::unique_ptr<OneShotVoice> first = make_voice();
  if (!first) return atmo::make_error("'" + layer.source + "' is not a one-shot generator");
  const double longest = decoded ? static_cast<double>(decoded->frames()) / sample_rate : first->max_duration_seconds();
  // Enough voices for every event that can overlap at the shortest interval, within reason.
  const auto needed = static_cast<std::size_t>(std::ceil(longest / layer.interval_min_s)) + 1;
  const std::size_t count = std::clamp<std::size_t>(needed, 1, 16);
  std::vector<OneShotLayer::Slot> slots;
  slots.reserve(count);
  slots.push_back({std::move(first)});
  while (slots.size() < count) slots.push_back({make_voice()});
  return std::unique_ptr<LayerPlayer>(std::make_unique<OneShotLayer>(layer, mix_seed(seed, 0x0515), sample_rate,
                                                                     std::move(slots)));
}

}  // namespace atmo::audio
