#include "drivers/audio/audio_file_decoder.hpp"

#include <sndfile.h>

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
  const auto channels = static_cast<std::size_t>(info.channels);
  std::vector<float> interleaved(static_cast<std::size_t>(info.frames) * channels);
  const sf_count_t read = sf_readf_float(file.get(), interleaved.data(), info.frames);
  if (read <= 0) return atmo::make_error("cannot decode audio file '" + path + "': " + sf_strerror(file.get()));

  const auto source_frames = static_cast<std::size_t>(read);
  auto sample = [&](std::size_t frame, std::size_t channel) {
    return interleaved[frame * channels + (channel < channels ? channel : 0)];
  };
  DecodedAudio out;
  if (info.samplerate == static_cast<int>(sample_rate)) {
    out.left.resize(source_frames);
    out.right.resize(source_frames);
    for (std::size_t i = 0; i < source_frames; ++i) {
      out.left[i] = sample(i, 0);
      out.right[i] = sample(i, 1);
    }
    return out;
  }
  const double step = static_cast<double>(info.samplerate) / sample_rate;
  const auto frames = static_cast<std::size_t>(std::floor(static_cast<double>(source_frames - 1) / step)) + 1;
  out.left.resize(frames);
  out.right.resize(frames);
  for (std::size_t i = 0; i < frames; ++i) {
    const double position = static_cast<double>(i) * step;
    const auto index = static_cast<std::size_t>(position);
    const std::size_t next = index + 1 < source_frames ? index + 1 : index;
    const auto fraction = static_cast<float>(position - static_cast<double>(index));
    out.left[i] = sample(index, 0) + fraction * (sample(next, 0) - sample(index, 0));
    out.right[i] = sample(index, 1) + fraction * (sample(next, 1) - sample(index, 1));
  }
  return out;
}

}  // namespace atmo::audio
