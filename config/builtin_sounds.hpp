// Names of the soundscapes and procedural generators built into the audio engine, so the loader
// can check references without depending on the audio driver (which depends on nothing of config).
#pragma once

#include <string>
#include <vector>

namespace atmo::config {

/// Soundscapes a zone scene may name without defining them: rain, sea, forest, wind, bowls.
const std::vector<std::string>& builtin_soundscapes();

/// Procedural generators a SoundLayer may name.
const std::vector<std::string>& builtin_generators();

}  // namespace atmo::config
