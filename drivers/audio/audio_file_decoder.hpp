// Decodes a WAV/FLAC/OGG file (libsndfile) into memory as stereo float at the mixer's rate. Runs
// on the engine's loader thread, never the audio thread; the mixer then only reads the buffers.
#pragma once

#include <string>
#include <vector>

#include "zones/result.hpp"

namespace atmo::audio {

struct DecodedAudio {
  std::vector<float> left;
  std::vector<float> right;
  long long frames() const { return static_cast<long long>(left.size()); }
};

// Whole-file decoding keeps the mixer trivially real-time (no streaming I/O to schedule); the
// length limit bounds memory: 10 min of stereo float at 48 kHz is 230 MB, so the default is 5 min.
inline constexpr double kMaxDecodedSeconds = 300.0;

// Mono files play on both channels; files with more than two channels keep the first two. Other
// sample rates are converted by linear interpolation (fine for ambience; resample offline for
// critical material).
atmo::Result<DecodedAudio> decode_audio_file(const std::string& path, double sample_rate,
                                             double max_seconds = kMaxDecodedSeconds);

}  // namespace atmo::audio
