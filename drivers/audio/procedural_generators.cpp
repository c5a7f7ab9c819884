// The registry of procedural generators: names users may write in a soundscape's layer source.
#include <array>

#include "drivers/audio/procedural_generators.hpp"

namespace atmo::audio {

namespace {
constexpr std::array<GeneratorInfo, 10> kGenerators = {{
    {"rain", GeneratorKind::Bed, "steady rain: bright noise sheet with droplet ticks"},
    {"surf", GeneratorKind::Bed, "sea surf: a swell every 7-12 s washing in and out"},
    {"wind", GeneratorKind::Bed, "soft wind: wandering resonant band of noise"},
    {"forest-air", GeneratorKind::Bed, "forest air: low breeze, rustling leaves, distant hum"},
    {"bowl-drone", GeneratorKind::Bed, "rubbed singing bowl: slowly beating inharmonic partials"},
    {"drip", GeneratorKind::OneShot, "a close raindrop: falling-pitch bubble with a click"},
    {"wave", GeneratorKind::OneShot, "a breaking wave: swelling, opening noise with foam"},
    {"gust", GeneratorKind::OneShot, "a gust: resonant noise rising and falling"},
    {"bird", GeneratorKind::OneShot, "a bird song: 2-7 chirped syllables of one species"},
    {"bowl", GeneratorKind::OneShot, "a struck singing bowl: beating partials, long decay"},
}};
}  // namespace

std::span<const GeneratorInfo> procedural_generators() { return kGenerators; }

std::optional<GeneratorKind> procedural_generator_kind(std::string_view name) {
  for (const GeneratorInfo& info : kGenerators) {
    if (info.name == name) return info.kind;
  }
  return std::nullopt;
}

}  // namespace atmo::audio
