// Built-in sound generators, so a venue (and the demo) needs no audio files: beds are endless
// stereo textures (rain, surf, wind...), voices are single events (a bird song, a bowl strike).
// Everything is synthesised from a seed, so the same seed always gives the same samples.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace atmo::audio {

// An endless stereo texture. render() overwrites `frames` samples of left/right; never allocates.
class BedGenerator {
 public:
  virtual ~BedGenerator() = default;
  virtual void render(float* left, float* right, int frames) noexcept = 0;
};

// One event at a time (a chirp song, a strike, a drop). trigger() restarts it with parameters drawn
// from `seed`; render_add() mixes it into left/right with the given channel gains.
class OneShotVoice {
 public:
  virtual ~OneShotVoice() = default;
  virtual void trigger(std::uint64_t seed) noexcept = 0;
  virtual void render_add(float* left, float* right, int frames, float gain_left,
                          float gain_right) noexcept = 0;
  virtual bool active() const noexcept = 0;
  // Longest event this voice produces; sizes the voice pool of a one-shot layer.
  virtual double max_duration_seconds() const noexcept = 0;
};

enum class GeneratorKind { Bed, OneShot };

struct GeneratorInfo {
  std::string_view name;
  GeneratorKind kind;
  std::string_view description;
};

// All procedural generators, for validation messages and `atmo audio` help.
std::span<const GeneratorInfo> procedural_generators();
std::optional<GeneratorKind> procedural_generator_kind(std::string_view name);

// nullptr when `name` is not a procedural bed (respectively voice).
std::unique_ptr<BedGenerator> make_procedural_bed(std::string_view name, std::uint64_t seed,
                                                  double sample_rate);
std::unique_ptr<OneShotVoice> make_procedural_voice(std::string_view name, double sample_rate);

}  // namespace atmo::audio
