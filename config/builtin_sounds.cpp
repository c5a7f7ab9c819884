#include "config/builtin_sounds.hpp"

namespace atmo::config {

const std::vector<std::string>& builtin_soundscapes() {
  static const std::vector<std::string> names{"rain", "sea", "forest", "wind", "bowls"};
  return names;
}

const std::vector<std::string>& builtin_generators() {
  // Must equal the audio engine's procedural_generators(); tests/controller checks that it does.
  static const std::vector<std::string> names{"rain", "surf", "wind", "forest-air", "bowl-drone",
                                              "drip", "wave", "gust", "bird", "bowl"};
  return names;
}

}  // namespace atmo::config
