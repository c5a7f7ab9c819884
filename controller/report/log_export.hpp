// `atmo log export`: stored readings to CSV, streamed point by point through the reader's callback
// API so an export of months of data never holds more than one row (or one chunk of buckets) in
// memory. Columns: time (ISO-8601, venue time zone), time_ms (UTC), point, value, quality — plus
// min, max and count when exporting per-step aggregates.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "controller/report/venue_time.hpp"
#include "controller/telemetry/telemetry_reader.hpp"

namespace atmo::report {

inline constexpr const char* kRawExportHeader = "time,time_ms,point,value,quality";
inline constexpr const char* kStepExportHeader = "time,time_ms,point,value,quality,min,max,count";

struct ExportRequest {
  std::vector<std::string> points;  ///< full point ids, exported in this order
  TimeMs from_ms = 0;               ///< inclusive
  TimeMs to_ms = 0;                 ///< exclusive
  TimeMs step_ms = 0;               ///< 0: every raw reading; else per-step averages of GOOD readings
};

struct ExportProgress {
  double fraction = 0.0;  ///< 0..1, by points done and time covered within the current point
  std::uint64_t rows = 0;
  std::size_t point_index = 0;
};

struct ExportSummary {
  std::uint64_t rows = 0;
  std::size_t points_with_data = 0;
};

/// Writes the CSV (header first) to `out`. `progress` is called now and then (every few thousand
/// rows and at each point) and once at the end with fraction 1. Errors: the database cannot be read,
/// or `out` fails (disk full).
Result<ExportSummary> export_readings(telemetry::TelemetryReader& reader, const VenueTime& time,
                                      const ExportRequest& request, std::ostream& out,
                                      const std::function<void(const ExportProgress&)>& progress = {});

/// "good", "stale", "bad", "offline", "unspecified".
std::string quality_name(v1::Quality quality);

}  // namespace atmo::report
