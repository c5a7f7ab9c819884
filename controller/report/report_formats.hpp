// The formats a DayReport is written in: one self-contained HTML page (inline CSS and SVG, prints
// on A4 with a page per zone), Markdown tables, CSV (a zone × sense table and a criteria table,
// columns in docs/reports.md) and a JSON summary for scripts. Pure functions of the report.
#pragma once

#include <string>

#include "controller/report/day_report.hpp"
#include "controller/report/venue_time.hpp"

namespace atmo::report {

std::string render_html(const DayReport& report, const VenueTime& time);
std::string render_markdown(const DayReport& report, const VenueTime& time);

/// Header of render_senses_csv, documented in docs/reports.md.
inline constexpr const char* kSensesCsvHeader =
    "date,zone,zone_name,sense,index_percent,applicable_s,in_standard_s,out_of_standard_s,no_data_s,alarms";
/// Header of render_criteria_csv, documented in docs/reports.md.
inline constexpr const char* kCriteriaCsvHeader =
    "date,zone,criterion,criterion_name,sense,point,unit,standard_min,standard_max,applicable_s,out_of_range_s,"
    "no_data_s,alarm_s,alarms,reading_min,reading_avg,reading_max";

/// One row per zone × sense.
std::string render_senses_csv(const DayReport& report);
/// One row per zone × criterion.
std::string render_criteria_csv(const DayReport& report);

/// The summary as JSON: per zone the senses (index and times), criteria figures, alarm, checklist
/// and scene counts; no per-minute data.
std::string render_json_summary(const DayReport& report, const VenueTime& time);

/// Quotes a CSV field when it holds a comma, quote or line break (RFC 4180).
std::string csv_field(const std::string& text);

}  // namespace atmo::report
