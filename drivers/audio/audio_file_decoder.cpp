#include "drivers/audio/audio_file_decoder.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace atmo::audio {
namespace {
struct SndfileCloser {
  void operator()(SNDFILE* file) const { sf_close(file); }
};
}  // namespace

atmo::Result<DecodedAudio> decode_audio_file(const std::string& path, double sample_rate, double max_seconds) {
  SF_INFO info{};
  std::unique_ptr<SNDFILE, SndfileCloser> file(sf_open(path.c_str(), SFM_READ, &info));
  if (!file) {
    return atmo::make_error("cannot open audio file '" + path + "': " + sf_strerror(nullptr) +
                            " (supported: WAV, FLAC, OGG/Vorbis)");
  }
  if (info.frames <= 0 || info.channels <= 0 || info.samplerate <= 0) {
    return atmo::make_error("audio file '" + path + "' has no samples");
  }
  const double seconds = static_cast<double>(info.frames) / info.samplerate;
  if (seconds > max_seconds) {
    return atmo::make_error("audio file '" + path + "' is " + std::to_string(static_cast<int>(seconds)) +
                            " s long; layers are limited to " + std::to_string(static_cast<int>(max_seconds)) +
                            " s (cut the file into a loop)");
  }
  // Read in chunks straight into the two channel vectors: a whole-file interleaved copy would
  // double the memory touched (and the page faults) for long layers.
  const auto channels = static_cast<std::size_t>(info.channels);
  constexpr sf_count_t kChunkFrames = 16384;
  std::vector<float> chunk(static_cast<std::size_t>(kChunkFrames) * channels);
  DecodedAudio source;
  source.left.resize(static_cast<std::size_t>(info.frames));
  source.right.resize(static_cast<std::size_t>(info.frames));
  const std::size_t right_offset = channels > 1 ? 1 : 0;
  std::size_t decoded = 0;
  while (decoded < source.left.size()) {
    const sf_count_t read = sf_readf_float(file.get(), chunk.data(), kChunkFrames);
    if (read <= 0) break;
    // De-interleave with plain indexed stores (no per-sample capacity check): this loop runs over
    // every sample of every file layer when a program is prepared.
    const std::size_t n = std::min(static_cast<std::size_t>(read), source.left.size() - decoded);
    float* left = source.left.data() + decoded;
    float* right = source.right.data() + decoded;
    const float* in = chunk.data();
    for (std::size_t i = 0; i < n; ++i) {
      left[i] = in[i * channels];
      right[i] = in[i * channels + right_offset];
    }
    decoded += n;
  }
  // A file whose header promises more frames than it holds: keep what was decoded.
  source.left.resize(decoded);
  source.right.resize(decoded);
  if (source.left.empty()) return atmo::make_error("cannot decode audio file '" + path + "': " + sf_strerror(file.get()));
  if (info.samplerate == static_cast<int>(sample_rate)) return source;

  const std::size_t source_frames = source.left.size();
  const double step = static_cast<double>(info.samplerate) / sample_rate;
  const auto frames = static_cast<std::size_t>(std::floor(static_cast<double>(source_frames - 1) / step)) + 1;
  DecodedAudio out;
  out.left.resize(frames);
  out.right.resize(frames);
  for (std::size_t i = 0; i < frames; ++i) {
    const double position = static_cast<double>(i) * step;
    const auto index = static_cast<std::size_t>(position);
    const std::size_t next = index + 1 < source_frames ? index + 1 : index;
    const auto fraction = static_cast<float>(position - static_cast<double>(index));
    out.left[i] = source.left[index] + fraction * (source.left[next] - source.left[index]);
    out.right[i] = source.right[index] + fraction * (source.right[next] - source.right[index]);
  }
  return out;
}

}  // namespace atmo::audio
