// The compliance engine's persistent state as plain values, and a versioned text form of it, so the
// controller can write it atomically to its state file and a restart keeps pending tolerance
// windows, open alarms, checklist confirmations and today's index.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/atmo.pb.h"
#include "zones/clock.hpp"
#include "zones/result.hpp"

namespace atmo::zones {

/// Ordered by severity: the state of a zone's sense is the greatest of its parts.
enum class ComplianceState { not_applicable = 0, ok = 1, drifting = 2, no_data = 3, out_of_standard = 4 };

std::string_view to_string(ComplianceState state);
std::string_view to_string(v1::Sense sense);  ///< "sight", "hearing", …

/// A zone's compliance for one sense over one local day.
struct DailyIndex {
  std::string day;  ///< "YYYY-MM-DD" local
  std::string zone;
  v1::Sense sense = v1::SENSE_UNSPECIFIED;
  TimeMs in_standard_ms = 0;      ///< ok or drifting while applicable
  TimeMs out_of_standard_ms = 0;
  TimeMs no_data_ms = 0;          ///< excluded from the index, reported beside it

  /// Return: in / (in + out) in %, or nullopt when no applicable time had data.
  std::optional<double> percent() const;
  bool operator==(const DailyIndex&) const = default;
};

struct ComplianceSnapshot {
  static constexpr int kVersion = 1;

  struct Criterion {
    std::string zone;
    std::string id;
    bool applicable = false;
    bool has_value = false;
    double value = 0;
    TimeMs last_good = 0;
    bool no_data = true;
    std::optional<TimeMs> outside_since;  ///< a pending tolerance window (or the open departure)
    double worst = 0;
    bool alarm = false;
    ComplianceState state = ComplianceState::not_applicable;
    bool operator==(const Criterion&) const = default;
  };
  struct Checklist {
    std::string zone;
    std::string id;
    bool applicable = false;
    TimeMs applicable_since = 0;
    std::optional<TimeMs> confirmed_at;
    std::string confirmed_by;
    bool alarm = false;
    TimeMs alarm_start = 0;
    ComplianceState state = ComplianceState::not_applicable;
    bool operator==(const Checklist&) const = default;
  };

  int version = kVersion;
  TimeMs now = 0;
  std::string day;
  std::optional<std::string> day_part;
  TimeMs day_part_since = 0;
  std::vector<Criterion> criteria;
  std::vector<Checklist> checklist;
  std::vector<DailyIndex> today;
  bool operator==(const ComplianceSnapshot&) const = default;
};

/// A line-based text form ("atmo-compliance 1" header); doubles round-trip exactly.
std::string serialize(const ComplianceSnapshot& snapshot);
/// Errors: not a compliance snapshot, a newer version, or a damaged line (its number is in the message).
Result<ComplianceSnapshot> parse_compliance_snapshot(std::string_view text);

}  // namespace atmo::zones
