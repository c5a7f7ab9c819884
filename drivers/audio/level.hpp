// Level arithmetic shared by the mixer, the engine and the tests. A level is dBFS RMS: 0 dB is the
// RMS of a full-scale square wave (sample value +-1.0), so a full-scale sine sits at -3.01 dBFS.
// Soundscapes are noise-like with peaks ~12 dB above their RMS: keep levels and caps at or below
// -12 dBFS, or the mixer's final full-scale clip will shave the peaks (and the RMS with them).
#pragma once

#include <cmath>

namespace atmo::audio {

// At or below this a level means silence; it keeps -inf out of fades and status values.
inline constexpr double kSilenceDb = -120.0;

inline double db_to_gain(double db) { return db <= kSilenceDb ? 0.0 : std::pow(10.0, db / 20.0); }

inline double gain_to_db(double gain) {
  return gain <= 1e-6 ? kSilenceDb : 20.0 * std::log10(gain);
}

// RMS of interleaved samples in dBFS (see the reference above).
inline double rms_db(const float* samples, long long count) {
  if (count <= 0) return kSilenceDb;
  double sum = 0.0;
  for (long long i = 0; i < count; ++i) sum += static_cast<double>(samples[i]) * samples[i];
  const double rms = std::sqrt(sum / static_cast<double>(count));
  return rms <= 1e-9 ? kSilenceDb : 20.0 * std::log10(rms);
}

}  // namespace atmo::audio
