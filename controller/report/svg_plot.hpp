// One criterion's day as an inline SVG: the per-minute average (a polyline per unbroken run) in a
// min–max band, over the standard's range (a shaded band) and the day parts (background stripes).
// Self-contained (attributes, no CSS or scripts needed), so it prints and survives copy-paste.
#pragma once

#include <string>
#include <vector>

#include "controller/report/day_report.hpp"
#include "controller/report/venue_time.hpp"

namespace atmo::report {

struct PlotSize {
  int width = 760;
  int height = 190;
};

std::string criterion_svg(const CriterionSummary& criterion, const std::vector<DayPart>& parts, TimeMs from_ms,
                          TimeMs to_ms, const VenueTime& time, const std::string& lang, PlotSize size = {});

/// Escapes &, <, >, " and ' for HTML/SVG text and attributes.
std::string xml_escape(const std::string& text);

}  // namespace atmo::report
