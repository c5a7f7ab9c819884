// The day report: everything a manager needs to see about one venue-local day — compliance per
// zone and sense, time out of range per criterion, alarms, checklist confirmations, scene changes
// and the per-minute readings behind the plots — gathered from the telemetry database into plain
// values. The writers (HTML, CSV, Markdown, JSON) only format a DayReport; they never query.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "controller/report/venue_time.hpp"
#include "controller/telemetry/telemetry_reader.hpp"
#include "zones/schedule.hpp"
#include "zones/venue.hpp"

namespace atmo::report {

/// A stretch of the day under one venue scene of the schedule (a "day part": opening, day, …).
struct DayPart {
  TimeMs from_ms = 0;
  TimeMs to_ms = 0;
  std::string scene;  ///< venue scene id
  std::string name;   ///< localized
};

/// The daily compliance index of one zone and sense, as the controller stored it at day's end.
struct SenseSummary {
  std::string sense;               ///< "sight", "hearing", "smell", "touch", "taste"
  std::string sense_name;          ///< localized
  std::optional<double> percent;   ///< nullopt: no index stored (day not finished, or nothing applied)
  std::int64_t applicable_s = 0;   ///< measured time the sense's criteria applied
  std::int64_t in_standard_s = 0;
  std::int64_t out_of_standard_s = 0;
  std::int64_t no_data_s = 0;
};

/// One criterion over the day, computed from the per-minute rollups: a minute counts as out of
/// range when its average lies outside [min, max] while the criterion applies, and as no data when
/// it applies but has no good reading.
struct CriterionSummary {
  std::string id;
  std::string name;  ///< localized
  std::string sense;
  std::string point;  ///< full point id "<zone>.<device>.<point>"
  std::string unit;
  double min = 0.0;
  double max = 0.0;
  std::int64_t applicable_s = 0;
  std::int64_t out_of_range_s = 0;
  std::int64_t no_data_s = 0;
  std::int64_t alarm_s = 0;  ///< alarm time of this criterion falling within the day
  int alarms = 0;
  std::optional<double> reading_min, reading_avg, reading_max;  ///< over the day's good readings
  std::vector<telemetry::Bucket> minutes;                        ///< per-minute rollups, ascending
  std::vector<std::pair<TimeMs, TimeMs>> applies;                ///< [from, to) spans it applies in
};

struct AlarmEntry {
  std::string subject;  ///< criterion or checklist item id
  std::string subject_name;
  std::string sense;
  bool checklist = false;
  std::optional<TimeMs> started_ms;  ///< when the value left its range (or the item fell due)
  std::optional<TimeMs> raised_ms;   ///< when the alarm was raised (tolerance over)
  std::optional<TimeMs> cleared_ms;  ///< nullopt: still raised at the end of the day
  std::optional<TimeMs> duration_ms;  ///< as the controller measured it (cleared alarms)
  std::optional<double> worst_value;
  std::string message;
};

struct Confirmation {
  TimeMs time_ms = 0;
  std::string who;
};

struct ChecklistSummary {
  std::string id;
  std::string name;  ///< localized
  std::string sense;
  std::uint32_t every_minutes = 0;
  std::vector<Confirmation> confirmations;  ///< empty: never confirmed that day
};

struct SceneChange {
  TimeMs time_ms = 0;
  std::string scene;
  std::string scene_name;  ///< localized
  std::string who;
  std::string message;
};

struct ZoneReport {
  std::string id;
  std::string name;  ///< localized
  std::vector<SenseSummary> senses;
  std::vector<CriterionSummary> criteria;
  std::vector<AlarmEntry> alarms;
  std::vector<ChecklistSummary> checklist;
  std::vector<SceneChange> scenes;
};

struct DayReport {
  std::string venue_id;
  std::string venue_name;
  std::string date;  ///< "YYYY-MM-DD"
  std::string lang;
  std::string time_zone;
  std::string program;  ///< the day program the schedule ran, and why
  TimeMs from_ms = 0;   ///< local midnight
  TimeMs to_ms = 0;     ///< next local midnight
  std::vector<DayPart> day_parts;
  std::vector<ZoneReport> zones;  ///< journey order
  std::string database;
};

struct ReportRequest {
  std::string date;               ///< "YYYY-MM-DD"
  std::optional<std::string> zone;
  std::string lang = "en";
  std::string database;           ///< shown in messages
};

/// Why a report could not be made, so the CLI can pick its exit code.
enum class ReportFailure { usage, no_data, database };

struct ReportError {
  ReportFailure kind = ReportFailure::usage;
  std::string message;
};

/// Gathers the report. Errors: a malformed date or unknown zone (usage), a day the database holds
/// nothing about (no_data), a database that cannot be read (database).
/// Reads through `reader` only; safe to run beside a live daemon (WAL readers never block it).
std::variant<DayReport, ReportError> build_day_report(const zones::Venue& venue, const zones::Schedule& schedule,
                                                      const VenueTime& time, telemetry::TelemetryReader& reader,
                                                      const ReportRequest& request);

}  // namespace atmo::report
