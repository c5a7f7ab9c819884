// Built-in soundscapes and spec validation.
#include "drivers/audio/soundscape.hpp"

#include <cmath>
#include <sstream>

#include "drivers/audio/procedural_generators.hpp"

namespace atmo::audio {
namespace {

LayerSpec bed(std::string source, double gain_db, std::uint64_t seed = 0) {
  LayerSpec layer;
  layer.kind = LayerKind::Bed;
  layer.source = std::move(source);
  layer.gain_db = gain_db;
  layer.seed = seed;
  return layer;
}

LayerSpec one_shots(std::string source, double interval_min_s, double interval_max_s, double gain_min_db,
                    double gain_max_db, double pan_min, double pan_max, std::uint64_t seed = 0) {
  LayerSpec layer;
  layer.kind = LayerKind::OneShot;
  layer.source = std::move(source);
  layer.interval_min_s = interval_min_s;
  layer.interval_max_s = interval_max_s;
  layer.gain_min_db = gain_min_db;
  layer.gain_max_db = gain_max_db;
  layer.pan_min = pan_min;
  layer.pan_max = pan_max;
  layer.seed = seed;
  return layer;
}

std::vector<SoundscapeSpec> make_builtins() {
  std::vector<SoundscapeSpec> all;
  all.push_back({"rain",
                 {bed("rain", 0.0), one_shots("drip", 0.08, 0.6, -16.0, -4.0, -0.9, 0.9),
                  bed("wind", -18.0)},
                 1});
  all.push_back({"sea",
                 {bed("surf", 0.0), one_shots("wave", 6.0, 13.0, -7.0, -1.0, -0.6, 0.6), bed("wind", -16.0)},
                 1});
  all.push_back({"forest",
                 {bed("forest-air", 0.0), one_shots("bird", 1.5, 5.0, -10.0, -2.0, -0.9, 0.9, 1),
                  one_shots("bird", 4.0, 10.0, -20.0, -12.0, -1.0, 1.0, 2)},
                 1});
  all.push_back({"wind", {bed("wind", 0.0), one_shots("gust", 5.0, 12.0, -6.0, 0.0, -0.7, 0.7), bed("forest-air", -14.0)}, 1});
  all.push_back({"bowls", {bed("bowl-drone", 0.0), one_shots("bowl", 5.0, 11.0, -6.0, 0.0, -0.5, 0.5)}, 1});
  return all;
}

const std::vector<SoundscapeSpec>& builtins() {
  static const std::vector<SoundscapeSpec> all = make_builtins();
  return all;
}

bool looks_like_file(const std::string& source) {
  return source.find('/') != std::string::npos || source.find('.') != std::string::npos;
}

}  // namespace

std::optional<std::string> validate_soundscape(const SoundscapeSpec& spec) {
  if (spec.id.empty()) return "soundscape has no id";
  if (spec.layers.empty()) return "soundscape '" + spec.id + "' has no layers";
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& layer = spec.layers[i];
    std::ostringstream where;
    where << "soundscape '" << spec.id << "' layer " << i + 1 << " (" << layer.source << "): ";
    if (layer.source.empty()) return where.str() + "no source; give a generator name or a file path";
    if (!looks_like_file(layer.source)) {
      const auto kind = procedural_generator_kind(layer.source);
      if (!kind) {
        std::string names;
        for (const GeneratorInfo& info : procedural_generators()) names += (names.empty() ? "" : ", ") + std::string(info.name);
        return where.str() + "unknown generator; built-in generators are: " + names;
      }
      const bool wants_bed = layer.kind == LayerKind::Bed;
      if (wants_bed != (*kind == GeneratorKind::Bed)) {
        return where.str() + (wants_bed ? "is a one-shot generator, use it in a one-shot layer"
                                        : "is a bed generator, use it in a bed layer");
      }
    }
    if (!std::isfinite(layer.gain_db) || layer.gain_db > 24.0) return where.str() + "gain_db must be finite and at most +24 dB";
    if (layer.pan_min < -1.0 || layer.pan_max > 1.0 || layer.pan_min > layer.pan_max) {
      return where.str() + "pan range must satisfy -1 <= pan_min <= pan_max <= 1";
    }
    if (layer.kind == LayerKind::OneShot) {
      if (!(layer.interval_min_s >= 0.01) || layer.interval_max_s < layer.interval_min_s) {
        return where.str() + "interval range must satisfy 0.01 s <= interval_min_s <= interval_max_s";
      }
      if (!std::isfinite(layer.gain_min_db) || !std::isfinite(layer.gain_max_db) || layer.gain_min_db > layer.gain_max_db) {
        return where.str() + "gain range must satisfy gain_min_db <= gain_max_db";
      }
    }
  }
  return std::nullopt;
}

const SoundscapeSpec* builtin_soundscape(std::string_view id) {
  for (const SoundscapeSpec& spec : builtins()) {
    if (spec.id == id) return &spec;
  }
  return nullptr;
}

std::span<const SoundscapeSpec> builtin_soundscapes() { return builtins(); }

std::optional<SoundscapeSpec> builtin_soundscape(std::string_view id, std::uint64_t seed) {
  const SoundscapeSpec* spec = builtin_soundscape(id);
  if (spec == nullptr) return std::nullopt;
  SoundscapeSpec copy = *spec;
  copy.seed = seed;
  return copy;
}

}  // namespace atmo::audio
