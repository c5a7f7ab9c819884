// Bed generators: endless stereo textures built from filtered noise under slow random modulation.
// Left and right use independent noise so beds sound wide; modulators are shared so they breathe
// together. Each bed is scaled to about -20 dBFS RMS before layer gain (so layer gains in a
// spec compare like with like); the zone's level
// normalisation (ZoneProgram calibration) takes care of the exact level.
#include <array>
#include <cmath>
#include <numbers>

#include "drivers/audio/filters.hpp"
#include "drivers/audio/procedural_generators.hpp"

namespace atmo::audio {
namespace {

constexpr int kControlBlock = 32;  // modulators and filter coefficients update at this period
constexpr double kTwoPi = 2.0 * std::numbers::pi;

// Updates modulators every kControlBlock samples of the bed's own timeline (not of the caller's
// blocks), so the samples do not depend on how the mixer slices time.
class ControlRateBed : public BedGenerator {
 public:
  void render(float* left, float* right, int frames) noexcept final {
    for (int start = 0; start < frames;) {
      if (until_control_ == 0) {
        control();
        until_control_ = kControlBlock;
      }
      const int n = frames - start < until_control_ ? frames - start : until_control_;
      segment(left, right, start, n);
      until_control_ -= n;
      start += n;
    }
  }

 protected:
  virtual void control() noexcept = 0;
  virtual void segment(float* left, float* right, int start, int n) noexcept = 0;

 private:
  int until_control_ = 0;
};

// Steady rain: a pink-noise "sheet" whose brightness drifts, plus dense droplet ticks (impulses
// ringing a resonant band-pass) so it crackles instead of hissing like a detuned radio.
class RainBed final : public ControlRateBed {
 public:
  RainBed(std::uint64_t seed, double sample_rate)
      : rate_(sample_rate),
        intensity_(mix_seed(seed, 1), 0.7, 1.0, 3.0, 9.0, sample_rate),
        brightness_(mix_seed(seed, 2), 2200.0, 5200.0, 4.0, 11.0, sample_rate),
        tick_rate_(mix_seed(seed, 3), 150.0, 450.0, 3.0, 8.0, sample_rate),
        channels_{Channel(mix_seed(seed, 4), sample_rate), Channel(mix_seed(seed, 5), sample_rate)} {}

  void control() noexcept override {
    intensity_now_ = static_cast<float>(intensity_.advance(kControlBlock));
    const double brightness = brightness_.advance(kControlBlock);
    tick_probability_ = tick_rate_.advance(kControlBlock) / rate_;
    for (Channel& ch : channels_) ch.sheet.set(brightness, 0.6, rate_);
  }

  void segment(float* left, float* right, int start, int n) noexcept override {
    float* outputs[2] = {left, right};
    const float intensity = intensity_now_;
    const double tick_probability = tick_probability_;
    {
      for (int c = 0; c < 2; ++c) {
        // A copy: output stores cannot alias it, so the filter state stays in registers.
        Channel ch = channels_[static_cast<std::size_t>(c)];
        float* out = outputs[c];
        for (int i = start; i < start + n; ++i) {
          const float pink = ch.pink.process(ch.rng.noise());
          const float sheet = ch.sheet.process(ch.low_cut.process(pink)).lowpass;
          float impulse = 0.0F;
          if (ch.rng.uniform() < tick_probability) {
            const double u = ch.rng.uniform();
            impulse = static_cast<float>(u * u * u) * (ch.rng.noise() < 0.0F ? -1.0F : 1.0F);
          }
          const float tick = ch.ticks.process(impulse).bandpass;
          out[i] = intensity * (0.55F * sheet + 0.35F * tick);
        }
        channels_[static_cast<std::size_t>(c)] = ch;
      }
    }
  }

 private:
  struct Channel {
    Channel(std::uint64_t seed, double sample_rate) : rng(seed) {
      low_cut.set_cutoff(350.0, sample_rate);
      ticks.set(rng.uniform(3000.0, 4200.0), 4.0, sample_rate);
    }
    DeterministicRng rng;
    PinkNoise pink;
    OnePoleHighpass low_cut;
    StateVariableFilter sheet;
    StateVariableFilter ticks;
  };

  double rate_;
  SmoothRandom intensity_;
  SmoothRandom brightness_;
  SmoothRandom tick_rate_;
  float intensity_now_ = 1.0F;
  double tick_probability_ = 0.0;
  std::array<Channel, 2> channels_;
};

// Sea surf: a wave cycle every 7-12 s. Each swell opens a low-pass on brown-ish noise (the roar)
// and adds high "foam" fizz as it breaks, then washes back out.
class SurfBed final : public ControlRateBed {
 public:
  SurfBed(std::uint64_t seed, double sample_rate)
      : rate_(sample_rate),
        rng_(mix_seed(seed, 1)),
        channels_{Channel(mix_seed(seed, 2), sample_rate), Channel(mix_seed(seed, 3), sample_rate)} {
    next_wave();
  }

  void control() noexcept override {
    const double envelope = advance_envelope(kControlBlock);
    amplitude_ = static_cast<float>(0.3 + 0.7 * envelope);
    foam_ = static_cast<float>(0.25 * envelope * envelope);
    for (int c = 0; c < 2; ++c) {
      // Right is slightly brighter, so the wave seems to travel across the beach.
      const double offset = c == 0 ? 0.0 : 0.08;
      channels_[static_cast<std::size_t>(c)].roar.set(220.0 + 2400.0 * std::pow(envelope + offset * envelope, 1.6), 0.7,
                                                      rate_);
    }
  }

  void segment(float* left, float* right, int start, int n) noexcept override {
    float* outputs[2] = {left, right};
    const float amplitude = amplitude_;
    const float foam = foam_;
    {
      for (int c = 0; c < 2; ++c) {
        // A copy: output stores cannot alias it, so the filter state stays in registers.
        Channel ch = channels_[static_cast<std::size_t>(c)];
        float* out = outputs[c];
        for (int i = start; i < start + n; ++i) {
          const float white = ch.rng.noise();
          const float pink = ch.pink.process(white);
          const float roar = ch.roar.process(pink).lowpass;
          const float fizz = ch.fizz.process(white);
          out[i] = 0.47F * (amplitude * (0.9F * roar) + foam * fizz);
        }
        channels_[static_cast<std::size_t>(c)] = ch;
      }
    }
  }

 private:
  struct Channel {
    Channel(std::uint64_t seed, double sample_rate) : rng(seed) { fizz.set_cutoff(3500.0, sample_rate); }
    DeterministicRng rng;
    PinkNoise pink;
    StateVariableFilter roar;
    OnePoleHighpass fizz;
  };

  void next_wave() {
    period_ = static_cast<long long>(rng_.uniform(7.0, 12.0) * rate_);
    rise_ = rng_.uniform(0.3, 0.45);
    peak_ = rng_.uniform(0.7, 1.0);
    start_ = last_;  // the next swell starts where the wash-out ended: no step in the envelope
    position_ = 0;
  }

  // Swell (raised-cosine rise) then exponential wash-out towards a calm floor.
  double advance_envelope(int samples) {
    position_ += samples;
    if (position_ >= period_) next_wave();
    const double t = static_cast<double>(position_) / static_cast<double>(period_);
    if (t < rise_) {
      last_ = start_ + (peak_ - start_) * (0.5 - 0.5 * std::cos(std::numbers::pi * t / rise_));
    } else {
      last_ = floor_ + (peak_ - floor_) * std::exp(-(t - rise_) * 4.5);
    }
    return last_;
  }

  double rate_;
  DeterministicRng rng_;
  std::array<Channel, 2> channels_;
  long long period_ = 1;
  long long position_ = 0;
  double rise_ = 0.4;
  double peak_ = 1.0;
  double floor_ = 0.12;
  double start_ = 0.12;
  double last_ = 0.12;
  float amplitude_ = 0.0F;
  float foam_ = 0.0F;
};

// Soft wind: pink noise through a band-pass whose centre, resonance and level wander, so it
// moans and sighs rather than hisses.
class WindBed final : public ControlRateBed {
 public:
  WindBed(std::uint64_t seed, double sample_rate)
      : rate_(sample_rate),
        gusts_(mix_seed(seed, 1), 0.35, 1.0, 2.0, 7.0, sample_rate),
        channels_{Channel(mix_seed(seed, 2), sample_rate), Channel(mix_seed(seed, 3), sample_rate)} {}

  void control() noexcept override {
    gust_ = static_cast<float>(gusts_.advance(kControlBlock));
    for (Channel& ch : channels_) {
      const double q = ch.resonance.advance(kControlBlock);
      ch.band.set(ch.centre.advance(kControlBlock), q, rate_);
      ch.normalise = static_cast<float>(std::sqrt(q) * 0.9);  // keeps the band's power steady as q moves
    }
  }

  void segment(float* left, float* right, int start, int n) noexcept override {
    float* outputs[2] = {left, right};
    const float gust = gust_;
    {
      for (int c = 0; c < 2; ++c) {
        // A copy: output stores cannot alias it, so the filter state stays in registers.
        Channel ch = channels_[static_cast<std::size_t>(c)];
        float* out = outputs[c];
        const float normalise = ch.normalise;
        for (int i = start; i < start + n; ++i) {
          const float pink = ch.pink.process(ch.rng.noise());
          const float band = ch.band.process(pink).bandpass;
          const float rumble = ch.rumble.process(pink);
          out[i] = 0.26F * gust * (normalise * band + 0.5F * rumble);
        }
        channels_[static_cast<std::size_t>(c)] = ch;
      }
    }
  }

 private:
  struct Channel {
    Channel(std::uint64_t seed, double sample_rate)
        : rng(seed),
          centre(mix_seed(seed, 10), 250.0, 900.0, 2.0, 6.0, sample_rate),
          resonance(mix_seed(seed, 11), 1.2, 4.0, 3.0, 8.0, sample_rate) {
      rumble.set_cutoff(140.0, sample_rate);
    }
    DeterministicRng rng;
    PinkNoise pink;
    SmoothRandom centre;
    SmoothRandom resonance;
    StateVariableFilter band;
    OnePoleLowpass rumble;
    float normalise = 1.0F;
  };

  double rate_;
  SmoothRandom gusts_;
  float gust_ = 1.0F;
  std::array<Channel, 2> channels_;
};

// Forest air: a low breeze, leaves rustling in bursts when the breeze picks up, and a distant
// low hum; the birds come from the "bird" voice on top.
class ForestAirBed final : public ControlRateBed {
 public:
  ForestAirBed(std::uint64_t seed, double sample_rate)
      : breeze_(mix_seed(seed, 1), 0.0, 1.0, 3.0, 9.0, sample_rate),
        channels_{Channel(mix_seed(seed, 2), sample_rate), Channel(mix_seed(seed, 3), sample_rate)} {}

  void control() noexcept override {
    const double breeze = breeze_.advance(kControlBlock);
    air_ = static_cast<float>(0.5 + 0.5 * breeze);
    for (Channel& ch : channels_) {
      // A rustle burst starts with a probability that grows with the breeze.
      if (ch.rng.uniform() < 0.02 + 0.25 * breeze) {
        ch.rustle_target = static_cast<float>(ch.rng.uniform(0.2, 1.0));
      } else {
        ch.rustle_target *= 0.6F;
      }
    }
  }

  void segment(float* left, float* right, int start, int n) noexcept override {
    float* outputs[2] = {left, right};
    const float air = air_;
    {
      for (int c = 0; c < 2; ++c) {
        // A copy: output stores cannot alias it, so the filter state stays in registers.
        Channel ch = channels_[static_cast<std::size_t>(c)];
        float* out = outputs[c];
        for (int i = start; i < start + n; ++i) {
          const float white = ch.rng.noise();
          const float pink = ch.pink.process(white);
          const float soft = ch.air.process(pink).lowpass;
          const float envelope = ch.rustle_envelope.process(ch.rustle_target);
          const float leaves = ch.leaves.process(white) * envelope;
          const float hum = ch.hum.process(pink);
          out[i] = 0.29F * (air * 0.8F * soft + 0.22F * leaves + 0.6F * hum);
        }
        channels_[static_cast<std::size_t>(c)] = ch;
      }
    }
  }

 private:
  struct Channel {
    Channel(std::uint64_t seed, double sample_rate) : rng(seed) {
      air.set(550.0, 0.6, sample_rate);
      leaves.set_cutoff(2500.0, sample_rate);
      rustle_envelope.set_cutoff(25.0, sample_rate);
      hum.set_cutoff(110.0, sample_rate);
    }
    DeterministicRng rng;
    PinkNoise pink;
    StateVariableFilter air;
    OnePoleHighpass leaves;
    OnePoleLowpass rustle_envelope;
    OnePoleLowpass hum;
    float rustle_target = 0.0F;
  };

  SmoothRandom breeze_;
  float air_ = 1.0F;
  std::array<Channel, 2> channels_;
};

// A rubbed singing bowl: a few inharmonic partials, each a slightly detuned pair so they beat
// slowly, with independent slow swells; the pairs are split across left and right.
class BowlDroneBed final : public ControlRateBed {
 public:
  BowlDroneBed(std::uint64_t seed, double sample_rate) : rate_(sample_rate), rng_(mix_seed(seed, 1)) {
    static constexpr std::array<double, 6> kFundamentals = {130.81, 146.83, 164.81, 174.61, 196.0, 220.0};
    static constexpr std::array<double, kPartials> kRatios = {1.0, 2.76, 5.40};
    static constexpr std::array<double, kPartials> kAmplitudes = {1.0, 0.35, 0.12};
    const double f0 = kFundamentals[static_cast<std::size_t>(rng_.next() % kFundamentals.size())];
    for (std::size_t p = 0; p < kPartials; ++p) {
      const double beat = rng_.uniform(0.3, 1.2);
      partials_[p].increment_left = kTwoPi * f0 * kRatios[p] / rate_;
      partials_[p].increment_right = kTwoPi * (f0 * kRatios[p] + beat) / rate_;
      partials_[p].amplitude = kAmplitudes[p];
      swells_[p] = SmoothRandom(mix_seed(seed, 10 + p), 0.45, 1.0, 5.0, 13.0, sample_rate);
    }
    air_.set(1800.0, 0.6, sample_rate);
  }

  void control() noexcept override {
    for (std::size_t p = 0; p < kPartials; ++p) gains_[p] = partials_[p].amplitude * swells_[p].advance(kControlBlock);
  }

  void segment(float* left, float* right, int start, int n) noexcept override {
    const std::array<double, kPartials> gains = gains_;
    // Copies: output stores cannot alias them, so the state stays in registers.
    std::array<Partial, kPartials> partials = partials_;
    DeterministicRng rng = rng_;
    PinkNoise pink = pink_;
    StateVariableFilter air_filter = air_;
    {
      for (int i = start; i < start + n; ++i) {
        double l = 0.0;
        double r = 0.0;
        for (std::size_t p = 0; p < kPartials; ++p) {
          Partial& partial = partials[p];
          l += gains[p] * std::sin(partial.phase_left);
          r += gains[p] * std::sin(partial.phase_right);
          partial.phase_left = std::fmod(partial.phase_left + partial.increment_left, kTwoPi);
          partial.phase_right = std::fmod(partial.phase_right + partial.increment_right, kTwoPi);
        }
        const float air = air_filter.process(pink.process(rng.noise())).lowpass;
        left[i] = static_cast<float>(0.2 * l) + 0.11F * air;
        right[i] = static_cast<float>(0.2 * r) + 0.11F * air;
      }
    }
    partials_ = partials;
    rng_ = rng;
    pink_ = pink;
    air_ = air_filter;
  }

 private:
  static constexpr std::size_t kPartials = 3;
  struct Partial {
    double phase_left = 0.0;
    double phase_right = 0.0;
    double increment_left = 0.0;
    double increment_right = 0.0;
    double amplitude = 0.0;
  };

  double rate_;
  DeterministicRng rng_;
  std::array<Partial, kPartials> partials_{};
  std::array<double, kPartials> gains_{};
  std::array<SmoothRandom, kPartials> swells_{SmoothRandom(1, 0, 1, 1, 1, 1), SmoothRandom(1, 0, 1, 1, 1, 1),
                                              SmoothRandom(1, 0, 1, 1, 1, 1)};
  PinkNoise pink_;
  StateVariableFilter air_;
};

}  // namespace

std::unique_ptr<BedGenerator> make_procedural_bed(std::string_view name, std::uint64_t seed,
                                                  double sample_rate) {
  if (name == "rain") return std::make_unique<RainBed>(seed, sample_rate);
  if (name == "surf") return std::make_unique<SurfBed>(seed, sample_rate);
  if (name == "wind") return std::make_unique<WindBed>(seed, sample_rate);
  if (name == "forest-air") return std::make_unique<ForestAirBed>(seed, sample_rate);
  if (name == "bowl-drone") return std::make_unique<BowlDroneBed>(seed, sample_rate);
  return nullptr;
}

}  // namespace atmo::audio
