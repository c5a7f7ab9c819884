#include "drivers/audio/wav_writer.hpp"

#include <sndfile.h>

namespace atmo::audio {

atmo::Result<std::unique_ptr<WavWriter>> WavWriter::open(const std::string& path, int sample_rate, int channels) {
  SF_INFO info{};
  info.samplerate = sample_rate;
  info.channels = channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  if (file == nullptr) return atmo::make_error("cannot write '" + path + "': " + sf_strerror(nullptr));
  // The PEAK chunk carries a timestamp; without it the same samples give byte-identical files.
  sf_command(file, SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);
  return std::unique_ptr<WavWriter>(new WavWriter(file, path, channels));
}

WavWriter::WavWriter(SNDFILE* file, std::string path, int channels)
    : file_(file), path_(std::move(path)), channels_(channels) {}

WavWriter::~WavWriter() { (void)close(); }

std::optional<atmo::Error> WavWriter::write(std::span<const float> interleaved) {
  if (file_ == nullptr) return atmo::make_error("'" + path_ + "' is already closed");
  const auto frames = static_cast<sf_count_t>(interleaved.size() / static_cast<std::size_t>(channels_));
  if (sf_writef_float(file_, interleaved.data(), frames) != frames) {
    return atmo::make_error("writing '" + path_ + "' failed: " + sf_strerror(file_));
  }
  return std::nullopt;
}

std::optional<atmo::Error> WavWriter::close() {
  if (file_ == nullptr) return std::nullopt;
  const int result = sf_close(file_);
  file_ = nullptr;
  if (result != 0) return atmo::make_error("closing '" + path_ + "' failed: " + sf_error_number(result));
  return std::nullopt;
}

}  // namespace atmo::audio
