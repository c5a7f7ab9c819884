// Writes interleaved float audio to a WAV file (32-bit float, libsndfile): the offline renderer's
// output, read back by the tests and by sox.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "zones/result.hpp"

typedef struct sf_private_tag SNDFILE;  // NOLINT: libsndfile's own forward declaration

namespace atmo::audio {

class WavWriter {
 public:
  static atmo::Result<std::unique_ptr<WavWriter>> open(const std::string& path, int sample_rate, int channels);
  ~WavWriter();
  WavWriter(const WavWriter&) = delete;
  WavWriter& operator=(const WavWriter&) = delete;

  // Appends interleaved frames; an error names the file and what failed (disk full, ...).
  std::optional<atmo::Error> write(std::span<const float> interleaved);
  // Flushes and closes; also done by the destructor, but only close() reports a failure.
  std::optional<atmo::Error> close();

 private:
  WavWriter(SNDFILE* file, std::string path, int channels);
  SNDFILE* file_;
  std::string path_;
  int channels_;
};

}  // namespace atmo::audio
