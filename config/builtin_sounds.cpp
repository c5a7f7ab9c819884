#include "config/builtin_sounds.hpp"

namespace atmo::config {

const std::vector<std::string>& builtin_soundscapes() {
  static const std::vector<std::string> names{"rain", "sea", "forest", "wind", "bowls"};
  return names;
}

const std::vector<std::string>& builtin_generators() {
  static const std::vector<std::string> names{"rain", "surf", "wind", "forest", "birdsong", "bowl", "pink_noise",
                                              "brown_noise"};
  return names;
}

}  // namespace atmo::config
