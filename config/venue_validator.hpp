// Whole-venue checks made after YAML mapping: ids unique, references resolve, values in range,
// registers of one unit do not overlap, times and dates parse. Each problem is located through the
// SourceMap; all are reported.
#pragma once

#include <vector>

#include "config/atmo.pb.h"
#include "config/source_map.hpp"
#include "config/venue_loader.hpp"

namespace atmo::config {

void validate_venue(const v1::Venue& venue, const SourceMap& sources, std::vector<Diagnostic>& errors);

/// "HH:MM" (00:00..23:59) -> minutes after midnight, or -1.
int parse_clock_time(const std::string& text);

/// "YYYY-MM-DD" that is a real calendar date -> days since 1970-01-01, or nothing.
std::optional<int> parse_date(const std::string& text);

}  // namespace atmo::config
