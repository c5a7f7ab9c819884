// One-shot voices: single events that a one-shot layer triggers at random times. Each trigger
// draws its parameters (pitch, length, shape) from the seed it is given, so a layer's seed fixes
// every event. Voices render mono and are placed in the stereo field by the layer's pan gains.
#include <array>
#include <cmath>
#include <numbers>

#include "drivers/audio/filters.hpp"
#include "drivers/audio/procedural_generators.hpp"

namespace atmo::audio {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

double wrap_phase(double phase) { return phase >= kTwoPi ? phase - kTwoPi : phase; }

// A close raindrop or drip: a short sine whose pitch falls quickly (the bubble resonance of a
// drop hitting water) with a tiny noise click on impact.
class DripVoice final : public OneShotVoice {
 public:
  explicit DripVoice(double sample_rate) : rate_(sample_rate), rng_(0) { click_.set(5000.0, 1.0, sample_rate); }

  void trigger(std::uint64_t seed) noexcept override {
    rng_ = DeterministicRng(seed);
    f_start_ = rng_.uniform(1400.0, 3400.0);
    f_end_ = f_start_ * rng_.uniform(0.5, 0.8);
    decay_ = rng_.uniform(0.012, 0.03);
    sweep_ = rng_.uniform(0.006, 0.02);
    length_ = static_cast<long long>(decay_ * 9.0 * rate_);
    position_ = 0;
    phase_ = 0.0;
  }

  void render_add(float* left, float* right, int frames, float gain_left, float gain_right) noexcept override {
    for (int i = 0; i < frames && position_ < length_; ++i, ++position_) {
      const double t = static_cast<double>(position_) / rate_;
      const double f = f_end_ + (f_start_ - f_end_) * std::exp(-t / sweep_);
      phase_ = wrap_phase(phase_ + kTwoPi * f / rate_);
      const double attack = t < 0.001 ? t / 0.001 : 1.0;
      const double envelope = attack * std::exp(-t / decay_);
      const float click = t < 0.003 ? click_.process(rng_.noise()).bandpass * static_cast<float>(1.0 - t / 0.003) : 0.0F;
      const float y = static_cast<float>(0.5 * envelope * std::sin(phase_)) + 0.3F * click;
      left[i] += gain_left * y;
      right[i] += gain_right * y;
    }
  }

  bool active() const noexcept override { return position_ < length_; }
  double max_duration_seconds() const noexcept override { return 0.03 * 9.0; }

 private:
  double rate_;
  DeterministicRng rng_;
  StateVariableFilter click_;
  double f_start_ = 0.0, f_end_ = 0.0, decay_ = 0.02, sweep_ = 0.01, phase_ = 0.0;
  long long length_ = 0;
  long long position_ = 0;
};

// A breaking wave: a noise swell whose low-pass opens as it rises and closes as it washes out,
// with foam fizz at the break.
class WaveVoice final : public OneShotVoice {
 public:
  explicit WaveVoice(double sample_rate) : rate_(sample_rate), rng_(0) { fizz_.set_cutoff(4000.0, sample_rate); }

  void trigger(std::uint64_t seed) noexcept override {
    rng_ = DeterministicRng(seed);
    const double duration = rng_.uniform(3.0, 6.0);
    length_ = static_cast<long long>(duration * rate_);
    attack_ = rng_.uniform(0.5, 1.2) / duration;
    position_ = 0;
  }

  void render_add(float* left, float* right, int frames, float gain_left, float gain_right) noexcept override {
    for (int i = 0; i < frames && position_ < length_; ++i, ++position_) {
      const double t = static_cast<double>(position_) / static_cast<double>(length_);
      double envelope = t < attack_ ? 0.5 - 0.5 * std::cos(std::numbers::pi * t / attack_)
                                    : std::exp(-(t - attack_) * 5.0);
      envelope *= t > 0.9 ? (1.0 - t) / 0.1 : 1.0;  // reach exactly zero at the end
      if (position_ % 32 == 0) roar_.set(350.0 + 3200.0 * std::pow(envelope, 1.5), 0.7, rate_);
      const float white = rng_.noise();
      const float roar = roar_.process(pink_.process(white)).lowpass;
      const float fizz = fizz_.process(white);
      const float y = 0.5F * static_cast<float>(envelope) * (1.1F * roar + 0.25F * static_cast<float>(envelope) * fizz);
      left[i] += gain_left * y;
      right[i] += gain_right * y;
    }
  }

  bool active() const noexcept override { return position_ < length_; }
  double max_duration_seconds() const noexcept override { return 6.0; }

 private:
  double rate_;
  DeterministicRng rng_;
  PinkNoise pink_;
  StateVariableFilter roar_;
  OnePoleHighpass fizz_;
  double attack_ = 0.2;
  long long length_ = 0;
  long long position_ = 0;
};

// A gust: a resonant band of noise that swells and rises in pitch, then falls back.
class GustVoice final : public OneShotVoice {
 public:
  explicit GustVoice(double sample_rate) : rate_(sample_rate), rng_(0) {}

  void trigger(std::uint64_t seed) noexcept override {
    rng_ = DeterministicRng(seed);
    length_ = static_cast<long long>(rng_.uniform(2.0, 5.0) * rate_);
    low_ = rng_.uniform(280.0, 550.0);
    high_ = low_ * rng_.uniform(1.8, 2.8);
    q_ = rng_.uniform(2.5, 6.0);
    position_ = 0;
  }

  void render_add(float* left, float* right, int frames, float gain_left, float gain_right) noexcept override {
    const auto normalise = static_cast<float>(std::sqrt(q_) * 0.3);
    for (int i = 0; i < frames && position_ < length_; ++i, ++position_) {
      const double t = static_cast<double>(position_) / static_cast<double>(length_);
      const double swell = std::sin(std::numbers::pi * t);
      const double envelope = swell * swell;
      if (position_ % 32 == 0) band_.set(low_ + (high_ - low_) * envelope, q_, rate_);
      const float y = static_cast<float>(envelope) * normalise * band_.process(pink_.process(rng_.noise())).bandpass;
      left[i] += gain_left * y;
      right[i] += gain_right * y;
    }
  }

  bool active() const noexcept override { return position_ < length_; }
  double max_duration_seconds() const noexcept override { return 5.0; }

 private:
  double rate_;
  DeterministicRng rng_;
  PinkNoise pink_;
  StateVariableFilter band_;
  double low_ = 300.0, high_ = 600.0, q_ = 3.0;
  long long length_ = 0;
  long long position_ = 0;
};

// A bird song: 2-7 syllables of one "species" drawn from the seed. A syllable is a chirp (rising,
// falling, trilled or warbled) with a soft envelope and a little second harmonic.
class BirdVoice final : public OneShotVoice {
 public:
  explicit BirdVoice(double sample_rate) : rate_(sample_rate), rng_(0) {}

  void trigger(std::uint64_t seed) noexcept override {
    rng_ = DeterministicRng(seed);
    base_ = rng_.uniform(2200.0, 5200.0);
    depth_ = rng_.uniform(400.0, 1800.0);
    shape_ = static_cast<int>(rng_.next() % 4U);
    trill_rate_ = rng_.uniform(22.0, 45.0);
    harmonic_ = rng_.uniform(0.08, 0.25);
    syllables_left_ = 2 + static_cast<int>(rng_.next() % 6U);
    syllable_length_ = static_cast<long long>(rng_.uniform(0.04, 0.15) * rate_);
    gap_length_ = static_cast<long long>(rng_.uniform(0.03, 0.11) * rate_);
    start_syllable();
  }

  void render_add(float* left, float* right, int frames, float gain_left, float gain_right) noexcept override {
    for (int i = 0; i < frames && syllables_left_ > 0; ++i) {
      if (position_ < syllable_length_) {
        const double t = static_cast<double>(position_) / static_cast<double>(syllable_length_);
        double f = pitch_;
        switch (shape_) {
          case 0: f += depth_ * t; break;                                           // rising
          case 1: f += depth_ * (1.0 - t); break;                                   // falling
          case 2: f += 0.4 * depth_ * std::sin(kTwoPi * trill_rate_ * t * static_cast<double>(syllable_length_) / rate_); break;  // trill
          default: f += depth_ * std::sin(std::numbers::pi * t); break;             // warble
        }
        phase_ = wrap_phase(phase_ + kTwoPi * f / rate_);
        const double s = std::sin(std::numbers::pi * t);
        const double envelope = s * s;
        const double y = envelope * (std::sin(phase_) + harmonic_ * std::sin(2.0 * phase_));
        left[i] += gain_left * static_cast<float>(0.35 * y);
        right[i] += gain_right * static_cast<float>(0.35 * y);
      }
      ++position_;
      if (position_ >= syllable_length_ + gap_length_) {
        --syllables_left_;
        start_syllable();
      }
    }
  }

  bool active() const noexcept override { return syllables_left_ > 0; }
  double max_duration_seconds() const noexcept override { return 7 * (0.15 + 0.11 * 1.1); }

 private:
  void start_syllable() {
    position_ = 0;
    pitch_ = base_ * rng_.uniform(0.95, 1.05);  // each syllable a little different, like a real song
    gap_length_ = static_cast<long long>(static_cast<double>(gap_length_) * rng_.uniform(0.9, 1.1));
  }

  double rate_;
  DeterministicRng rng_;
  double base_ = 3000.0, depth_ = 800.0, trill_rate_ = 30.0, harmonic_ = 0.1, pitch_ = 3000.0, phase_ = 0.0;
  int shape_ = 0;
  int syllables_left_ = 0;
  long long syllable_length_ = 1;
  long long gap_length_ = 1;
  long long position_ = 0;
};

// A struck singing bowl: inharmonic partials (ratios of a real bowl), each a detuned pair that
// beats, decaying at their own rates, plus a short mallet click.
class BowlVoice final : public OneShotVoice {
 public:
  explicit BowlVoice(double sample_rate) : rate_(sample_rate), rng_(0) { mallet_.set(3200.0, 2.0, sample_rate); }

  void trigger(std::uint64_t seed) noexcept override {
    static constexpr std::array<double, 7> kFundamentals = {196.0, 220.0, 246.94, 261.63, 293.66, 329.63, 392.0};
    static constexpr std::array<double, kPartials> kRatios = {1.0, 2.71, 5.13, 8.33, 12.2};
    static constexpr std::array<double, kPartials> kAmplitudes = {1.0, 0.55, 0.3, 0.14, 0.07};
    static constexpr std::array<double, kPartials> kT60 = {16.0, 10.0, 6.0, 3.5, 2.0};
    rng_ = DeterministicRng(seed);
    const double f0 = kFundamentals[static_cast<std::size_t>(rng_.next() % kFundamentals.size())];
    const double decay_scale = rng_.uniform(0.8, 1.2);
    for (std::size_t p = 0; p < kPartials; ++p) {
      const double f = f0 * kRatios[p] * rng_.uniform(0.995, 1.005);
      const double beat = rng_.uniform(0.4, 2.5);
      partials_[p] = Partial{0.0, rng_.uniform(0.0, kTwoPi), kTwoPi * f / rate_, kTwoPi * (f + beat) / rate_,
                             kAmplitudes[p],
                             std::exp(std::log(0.001) / (kT60[p] * decay_scale * rate_))};
    }
    length_ = static_cast<long long>(kT60[0] * decay_scale * rate_);
    position_ = 0;
  }

  void render_add(float* left, float* right, int frames, float gain_left, float gain_right) noexcept override {
    for (int i = 0; i < frames && position_ < length_; ++i, ++position_) {
      double y = 0.0;
      for (Partial& p : partials_) {
        y += p.amplitude * (std::sin(p.phase_a) + std::sin(p.phase_b));
        p.phase_a = wrap_phase(p.phase_a + p.increment_a);
        p.phase_b = wrap_phase(p.phase_b + p.increment_b);
        p.amplitude *= p.decay;
      }
      const double t = static_cast<double>(position_) / rate_;
      const double attack = t < 0.004 ? t / 0.004 : 1.0;
      // Fade the last 0.5 s so the event ends at exactly zero however loud the tail still is.
      const double remaining = static_cast<double>(length_ - position_) / rate_;
      const double release = remaining < 0.5 ? remaining / 0.5 : 1.0;
      const float mallet = t < 0.012 ? mallet_.process(rng_.noise()) .bandpass * static_cast<float>(1.0 - t / 0.012) : 0.0F;
      const float out = static_cast<float>(0.12 * attack * release * y) + 0.2F * mallet;
      left[i] += gain_left * out;
      right[i] += gain_right * out;
    }
  }

  bool active() const noexcept override { return position_ < length_; }
  double max_duration_seconds() const noexcept override { return 16.0 * 1.2; }

 private:
  static constexpr std::size_t kPartials = 5;
  struct Partial {
    double phase_a, phase_b, increment_a, increment_b, amplitude, decay;
  };

  double rate_;
  DeterministicRng rng_;
  StateVariableFilter mallet_;
  std::array<Partial, kPartials> partials_{};
  long long length_ = 0;
  long long position_ = 0;
};

}  // namespace

std::unique_ptr<OneShotVoice> make_procedural_voice(std::string_view name, double sample_rate) {
  if (name == "drip") return std::make_unique<DripVoice>(sample_rate);
  if (name == "wave") return std::make_unique<WaveVoice>(sample_rate);
  if (name == "gust") return std::make_unique<GustVoice>(sample_rate);
  if (name == "bird") return std::make_unique<BirdVoice>(sample_rate);
  if (name == "bowl") return std::make_unique<BowlVoice>(sample_rate);
  return nullptr;
}

}  // namespace atmo::audio
