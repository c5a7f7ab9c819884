// Helpers shared by the audio unit tests: channel extraction, windowed RMS and sample steps.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <unistd.h>
#include <string>
#include <vector>

#include "drivers/audio/level.hpp"

namespace atmo::audio::test {

inline std::vector<float> channel(const std::vector<float>& interleaved, int channels, int index,
                                  std::int64_t first_frame = 0, std::int64_t frames = -1) {
  const auto total = static_cast<std::int64_t>(interleaved.size()) / channels;
  if (frames < 0) frames = total - first_frame;
  std::vector<float> out(static_cast<std::size_t>(frames));
  for (std::int64_t i = 0; i < frames; ++i) {
    out[static_cast<std::size_t>(i)] = interleaved[static_cast<std::size_t>((first_frame + i) * channels + index)];
  }
  return out;
}

// RMS in dBFS over frames [first, first + count) of the given channels (all power-averaged).
inline double rms_db_of(const std::vector<float>& interleaved, int channels, int first_channel, int zone_channels,
                        std::int64_t first, std::int64_t count) {
  double power = 0.0;
  for (std::int64_t i = first; i < first + count; ++i) {
    for (int c = first_channel; c < first_channel + zone_channels; ++c) {
      const double s = interleaved[static_cast<std::size_t>(i * channels + c)];
      power += s * s;
    }
  }
  const double rms = std::sqrt(power / static_cast<double>(count * zone_channels));
  return rms > 1e-9 ? 20.0 * std::log10(rms) : kSilenceDb;
}

inline double max_step(const std::vector<float>& samples, std::size_t begin, std::size_t end) {
  double step = 0.0;
  for (std::size_t i = std::max<std::size_t>(begin, 1); i < end; ++i) {
    step = std::max(step, static_cast<double>(std::abs(samples[i] - samples[i - 1])));
  }
  return step;
}

inline double max_abs(const std::vector<float>& samples, std::size_t begin, std::size_t end) {
  double peak = 0.0;
  for (std::size_t i = begin; i < end; ++i) peak = std::max(peak, static_cast<double>(std::abs(samples[i])));
  return peak;
}

inline std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("atmo-audio-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace atmo::audio::test
