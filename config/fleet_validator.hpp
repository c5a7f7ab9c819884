// Checks of the venue's `metrics` and `mqtt` blocks (docs/fleet.md): a broker address that can
// work, topic names MQTT accepts, secrets taken from exactly one place, bounds that leave room to
// buffer. Problems are located through the SourceMap like every other venue check.
#pragma once

#include <string_view>
#include <vector>

#include "config/atmo.pb.h"
#include "config/source_map.hpp"
#include "config/venue_loader.hpp"

namespace atmo::config {

void validate_fleet(const v1::Venue& venue, const SourceMap& sources, std::vector<Diagnostic>& errors);

/// Whether `level` can be one level of an MQTT topic atmo publishes: not empty, no '/', and none
/// of the wildcards '+' and '#' (nor NUL).
bool valid_topic_level(std::string_view level);

}  // namespace atmo::config
