// The one random source of the audio driver. Soundscapes must be identical for a given seed on every
// build and library version, so we avoid <random> distributions (their algorithms are unspecified).
#pragma once

#include <cstdint>

namespace atmo::audio {

// SplitMix64 step: spreads related seeds (1, 2, 3...) into unrelated streams.
inline std::uint64_t mix_seed(std::uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27U)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31U);
}

inline std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) { return mix_seed(a ^ mix_seed(b)); }

// xoshiro256**: fast enough to draw a noise sample per output sample.
class DeterministicRng {
 public:
  explicit DeterministicRng(std::uint64_t seed) {
    for (auto& word : state_) {
      seed = mix_seed(seed);
      word = seed;
    }
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5U, 7) * 9U;
    const std::uint64_t t = state_[1] << 17U;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 bits.
  double uniform() { return static_cast<double>(next() >> 11U) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // White noise sample, uniform in [-1, 1): RMS 1/sqrt(3).
  float noise() { return static_cast<float>(static_cast<double>(next() >> 40U) * 0x1.0p-23 - 1.0); }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) {
    return (x << static_cast<unsigned>(k)) | (x >> static_cast<unsigned>(64 - k));
  }
  std::uint64_t state_[4]{};
};

}  // namespace atmo::audio
