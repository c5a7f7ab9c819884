// Small DSP building blocks for the procedural generators: one-pole filters, a state-variable
// filter, pink noise and slowly wandering modulators. All allocation-free and deterministic.
#pragma once

#include <cmath>
#include <numbers>

#include "drivers/audio/deterministic_rng.hpp"

namespace atmo::audio {

class OnePoleLowpass {
 public:
  void set_cutoff(double hz, double sample_rate) {
    coefficient_ = static_cast<float>(1.0 - std::exp(-2.0 * std::numbers::pi * hz / sample_rate));
  }
  float process(float x) {
    state_ += coefficient_ * (x - state_);
    return state_;
  }

 private:
  float coefficient_ = 1.0F;
  float state_ = 0.0F;
};

class OnePoleHighpass {
 public:
  void set_cutoff(double hz, double sample_rate) { lowpass_.set_cutoff(hz, sample_rate); }
  float process(float x) { return x - lowpass_.process(x); }

 private:
  OnePoleLowpass lowpass_;
};

// Topology-preserving state-variable filter (Zavalishin): stays stable while its cutoff moves every
// few samples, which the wind and surf generators rely on.
class StateVariableFilter {
 public:
  struct Outputs {
    float lowpass;
    float bandpass;
    float highpass;
  };

  void set(double cutoff_hz, double q, double sample_rate) {
    const double nyquist_guard = 0.45 * sample_rate;
    const double fc = cutoff_hz < 10.0 ? 10.0 : (cutoff_hz > nyquist_guard ? nyquist_guard : cutoff_hz);
    g_ = static_cast<float>(std::tan(std::numbers::pi * fc / sample_rate));
    k_ = static_cast<float>(1.0 / q);
    a1_ = 1.0F / (1.0F + g_ * (g_ + k_));
  }

  Outputs process(float x) {
    const float v3 = x - ic2_;
    const float v1 = a1_ * ic1_ + g_ * a1_ * v3;
    const float v2 = ic2_ + g_ * v1;
    ic1_ = 2.0F * v1 - ic1_;
    ic2_ = 2.0F * v2 - ic2_;
    return {v2, v1, x - k_ * v1 - v2};
  }

 private:
  float g_ = 0.1F;
  float k_ = 1.0F;
  float a1_ = 1.0F;
  float ic1_ = 0.0F;
  float ic2_ = 0.0F;
};

// Paul Kellet's "economy" pink filter: -3 dB/octave from white noise. Output RMS ~ 0.3 for
// uniform white input of RMS 0.577.
class PinkNoise {
 public:
  float process(float white) {
    b0_ = 0.99765F * b0_ + white * 0.0990460F;
    b1_ = 0.96300F * b1_ + white * 0.2965164F;
    b2_ = 0.57000F * b2_ + white * 1.0526913F;
    return (b0_ + b1_ + b2_ + white * 0.1848F) * 0.25F;
  }

 private:
  float b0_ = 0.0F;
  float b1_ = 0.0F;
  float b2_ = 0.0F;
};

// A value that wanders between random targets in [lo, hi], each reached after a random time in
// [min_s, max_s] along a raised-cosine path: the "slow modulation" that keeps beds alive.
class SmoothRandom {
 public:
  SmoothRandom(std::uint64_t seed, double lo, double hi, double min_s, double max_s, double sample_rate)
      : rng_(seed), lo_(lo), hi_(hi), min_s_(min_s), max_s_(max_s), sample_rate_(sample_rate) {
    from_ = rng_.uniform(lo_, hi_);
    pick_next();
  }

  // Advances by `samples` and returns the value; callers step it at control rate.
  double advance(int samples) {
    position_ += samples;
    if (position_ >= length_) {
      from_ = to_;
      pick_next();
    }
    const double t = static_cast<double>(position_) / static_cast<double>(length_);
    const double shape = 0.5 - 0.5 * std::cos(std::numbers::pi * t);
    return from_ + (to_ - from_) * shape;
  }

 private:
  void pick_next() {
    to_ = rng_.uniform(lo_, hi_);
    length_ = static_cast<long long>(rng_.uniform(min_s_, max_s_) * sample_rate_) + 1;
    position_ = 0;
  }

  DeterministicRng rng_;
  double lo_, hi_, min_s_, max_s_, sample_rate_;
  double from_ = 0.0;
  double to_ = 0.0;
  long long length_ = 1;
  long long position_ = 0;
};

}  // namespace atmo::audio
