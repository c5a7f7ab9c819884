// What a zone plays: a soundscape is a set of layers, each a looped bed or randomly timed
// one-shots, from a procedural generator or an audio file. Built-in soundscapes (rain, sea,
// forest, wind, bowls) need no files. A spec is plain data; ZoneProgram turns it into sound.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace atmo::audio {

enum class LayerKind { Bed, OneShot };

struct LayerSpec {
  LayerKind kind = LayerKind::Bed;
  // A procedural generator name (see procedural_generators()) or a path to a WAV/FLAC/OGG file.
  std::string source;
  double gain_db = 0.0;
  // Beds: pan is the midpoint of [pan_min, pan_max]. One-shots: every event draws interval (s),
  // gain (dB, added to gain_db) and pan (-1 left .. +1 right) uniformly from these ranges.
  double interval_min_s = 1.0;
  double interval_max_s = 1.0;
  double gain_min_db = 0.0;
  double gain_max_db = 0.0;
  double pan_min = 0.0;
  double pan_max = 0.0;
  std::uint64_t seed = 0;  // mixed with the soundscape seed; lets two layers of one source differ
};

struct SoundscapeSpec {
  std::string id;
  std::vector<LayerSpec> layers;
  std::uint64_t seed = 1;
};

// A message a person can act on, or nullopt when the spec is playable. Does not open files.
std::optional<std::string> validate_soundscape(const SoundscapeSpec& spec);

// The built-in soundscapes; nullptr for an unknown id.
const SoundscapeSpec* builtin_soundscape(std::string_view id);
std::span<const SoundscapeSpec> builtin_soundscapes();

// A built-in with another seed: what `atmo audio render --seed` and scenes with a seed use.
std::optional<SoundscapeSpec> builtin_soundscape(std::string_view id, std::uint64_t seed);

}  // namespace atmo::audio
