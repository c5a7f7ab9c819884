#include "drivers/audio/zone_program.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "drivers/audio/deterministic_rng.hpp"
#include "drivers/audio/level.hpp"
#include "drivers/audio/procedural_generators.hpp"

namespace atmo::audio {

ZoneProgram::ZoneProgram(std::string id, std::vector<std::unique_ptr<LayerPlayer>> layers, int max_block_frames)
    : id_(std::move(id)), layers_(std::move(layers)), max_block_frames_(max_block_frames) {}

void ZoneProgram::render(float* left, float* right, int frames) noexcept {
  for (int i = 0; i < frames; ++i) left[i] = right[i] = 0.0F;
  for (int start = 0; start < frames; start += max_block_frames_) {
    const int n = frames - start < max_block_frames_ ? frames - start : max_block_frames_;
    for (auto& layer : layers_) layer->render_add(left + start, right + start, n);
  }
}

namespace {

using DecodedFiles = std::map<std::string, std::shared_ptr<const DecodedAudio>>;

atmo::Result<std::unique_ptr<ZoneProgram>> build(const SoundscapeSpec& spec, const ProgramOptions& options,
                                                 const DecodedFiles& files) {
  std::vector<std::unique_ptr<LayerPlayer>> layers;
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& layer = spec.layers[i];
    const auto file = files.find(layer.source);
    // Layers are seeded from the soundscape seed, their position and their own seed: adding a
    // layer does not change the others, and two layers of one generator still differ.
    const std::uint64_t seed = mix_seed(mix_seed(spec.seed, i + 1), layer.seed);
    auto player = make_layer_player(layer, seed, options.sample_rate, options.max_block_frames,
                                    file == files.end() ? nullptr : file->second);
    if (!player) return player.error();
    layers.push_back(std::move(player).value());
  }
  return std::make_unique<ZoneProgram>(spec.id, std::move(layers), options.max_block_frames);
}

}  // namespace

atmo::Result<std::unique_ptr<ZoneProgram>> prepare_zone_program(const SoundscapeSpec& spec,
                                                                 const ProgramOptions& options) {
  if (auto problem = validate_soundscape(spec)) return atmo::make_error(*problem);
  DecodedFiles files;
  for (const LayerSpec& layer : spec.layers) {
    if (procedural_generator_kind(layer.source) || files.count(layer.source) != 0) continue;
    auto decoded = decode_audio_file(layer.source, options.sample_rate);
    if (!decoded) return atmo::make_error("soundscape '" + spec.id + "': " + decoded.error().message);
    files.emplace(layer.source, std::make_shared<const DecodedAudio>(std::move(decoded).value()));
  }

  // Calibrate on an identical twin (same seed, same samples), so the program handed to the mixer
  // still starts at time zero.
  auto twin = build(spec, options, files);
  if (!twin) return twin.error();
  // At least one block, so a tiny or zero window cannot divide by zero.
  const auto total = std::max<long long>(static_cast<long long>(options.calibration_seconds * options.sample_rate),
                                         options.max_block_frames);
  std::vector<float> left(static_cast<std::size_t>(options.max_block_frames));
  std::vector<float> right(left.size());
  double power = 0.0;
  for (long long done = 0; done < total; done += options.max_block_frames) {
    if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed)) {
      return atmo::make_error("cancelled");
    }
    const int n = static_cast<int>(std::min<long long>(options.max_block_frames, total - done));
    twin.value()->render(left.data(), right.data(), n);
    for (int i = 0; i < n; ++i) {
      for (int c = 0; c < options.zone_channels; ++c) {
        const double s = zone_channel_sample(left[static_cast<std::size_t>(i)], right[static_cast<std::size_t>(i)], c,
                                             options.zone_channels);
        power += s * s;
      }
    }
  }
  const double rms = std::sqrt(power / static_cast<double>(total * options.zone_channels));
  if (!(rms > 1e-7)) return atmo::make_error("soundscape '" + spec.id + "' is silent (check its files and gains)");

  auto program = build(spec, options, files);
  if (!program) return program.error();
  program.value()->set_normalisation(static_cast<float>(1.0 / rms));
  return program;
}

}  // namespace atmo::audio
