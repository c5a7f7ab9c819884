// The compliance engine: turns readings, the active day part and checklist confirmations into
// per-criterion states (ok / drifting / out of standard / no data), alarms with durations, a state
// per zone and sense, and a daily compliance index. A pure state machine: the caller feeds it
// timestamps (UTC ms) on one thread and persists snapshot() so a restart loses nothing.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "zones/clock.hpp"
#include "zones/compliance_snapshot.hpp"
#include "zones/day_calendar.hpp"
#include "zones/result.hpp"
#include "zones/venue.hpp"

namespace atmo::zones {

inline constexpr TimeMs kNoDataMinMs = 60'000;     ///< no good reading for this long -> no data ...
inline constexpr int kNoDataPollPeriods = 3;       ///< ... or for 3 poll periods, whichever is longer
inline constexpr std::uint32_t kDefaultToleranceS = 300;  ///< Criterion.tolerance_s when 0
/// ChecklistItem.every_minutes == 0 ("once per day part"): staff have this long after the day part
/// starts before the item counts as overdue.
inline constexpr TimeMs kOncePerDayPartGraceMs = 30 * 60'000;
inline constexpr std::string_view kClosedDayPart = "closed";

struct ComplianceEvent {
  enum class Kind {
    state_changed,        ///< a criterion or checklist item changed state (item set)
    sense_changed,        ///< a zone's state for a sense changed (item empty)
    alarm_raised,         ///< out of standard: tolerance expired, or checklist item overdue
    alarm_cleared,        ///< back within hysteresis, confirmed, or no longer applicable
    checklist_confirmed,  ///< staff confirmed an item (who set)
  };
  Kind kind = Kind::state_changed;
  TimeMs at = 0;
  std::string zone;
  v1::Sense sense = v1::SENSE_UNSPECIFIED;
  std::string item;  ///< criterion or checklist item id
  bool checklist = false;
  ComplianceState from = ComplianceState::not_applicable;
  ComplianceState to = ComplianceState::not_applicable;
  TimeMs start = 0;        ///< alarms: when the departure began (value left the range, item fell due)
  TimeMs end = 0;          ///< alarm_cleared: when it ended
  TimeMs duration_ms = 0;  ///< alarm_cleared: end - start
  std::optional<double> worst_value;  ///< criterion alarms: the reading furthest outside the range
  std::string who;                    ///< checklist_confirmed
  std::string message;                ///< one line for a person
};

struct ComplianceUpdate {
  std::vector<ComplianceEvent> events;
  std::vector<DailyIndex> finished_days;  ///< indices of local days that ended: persist them
};

struct CriterionStatus {
  std::string zone;
  std::string id;
  v1::Sense sense = v1::SENSE_UNSPECIFIED;
  std::string point;  ///< full point id
  ComplianceState state = ComplianceState::not_applicable;
  std::optional<double> last_value;
  TimeMs last_good_ms = 0;
  std::optional<TimeMs> outside_since;
};

struct ChecklistStatus {
  std::string zone;
  std::string id;
  v1::Sense sense = v1::SENSE_UNSPECIFIED;
  ComplianceState state = ComplianceState::not_applicable;  ///< ok, out_of_standard (overdue) or not_applicable
  std::optional<TimeMs> confirmed_at;
  std::string confirmed_by;
  std::optional<TimeMs> due_at;  ///< overdue after this instant; unset when nothing is due
};

/// Not thread-safe: one thread (the controller's logic thread) owns an engine.
class ComplianceEngine {
 public:
  /// `calendar` (normally the Schedule) must outlive the engine; it splits the index into local days.
  /// Nothing applies until the first set_day_part.
  ComplianceEngine(std::shared_ptr<const Venue> venue, const DayCalendar& calendar, TimeMs start);

  /// Moves time forward, firing tolerance, no-data and checklist deadlines in time order and
  /// accumulating the daily index. A deadline fires only once time is strictly past it: a value
  /// outside for exactly tolerance_s is still drifting. Times before now() are ignored.
  ComplianceUpdate advance_to(TimeMs t);

  /// The active venue scene (day part) from `t` on. Criteria with an empty applies_in apply in every
  /// day part but "closed".
  ComplianceUpdate set_day_part(std::string venue_scene, TimeMs t);

  /// A reading of a point. Only QUALITY_GOOD readings with a finite value count; stale, bad and
  /// offline readings are ignored, so a silent or failing sensor turns into no_data once no good
  /// reading came for max(60 s, 3 poll periods). A criterion that applies but has never had a good
  /// reading is no_data. Readings older than now() count as fresh data but are evaluated at now().
  /// A value outside the range starts the tolerance window (drifting); back inside the range ends a
  /// drift, but out_of_standard ends only once the value is inside by the criterion's hysteresis.
  ComplianceUpdate feed(std::string_view point_id, double value, v1::Quality quality, TimeMs t);
  ComplianceUpdate feed(const v1::Reading& reading);

  /// Staff confirm a checklist item of a zone.
  /// Errors: unknown zone or item (the message lists the zone's items).
  Result<ComplianceUpdate> confirm(std::string_view zone, std::string_view item, std::string who, TimeMs t);

  TimeMs now() const { return now_; }
  const std::optional<std::string>& day_part() const { return day_part_; }
  /// Worst state of the zone's applicable criteria and checklist items of `sense`.
  ComplianceState sense_state(std::string_view zone, v1::Sense sense) const;
  std::vector<CriterionStatus> criteria() const;
  std::vector<ChecklistStatus> checklist() const;
  /// Only those out of standard: the alarms, asked for on every status request.
  std::vector<CriterionStatus> criteria_out_of_standard() const;
  std::vector<ChecklistStatus> checklist_out_of_standard() const;
  /// Index so far for the current local day, one entry per zone and sense that has criteria or items.
  std::vector<DailyIndex> today() const;

  /// Everything needed to continue after a restart.
  ComplianceSnapshot snapshot() const;
  /// Continues from a snapshot of an engine for the same venue. Criteria or items the venue no
  /// longer has are dropped, new ones start fresh. Call advance_to(now) and set_day_part afterwards:
  /// the downtime then counts as no data once the no-data timeout passes.
  /// Return: one note per dropped entry. Errors: a snapshot from a later format version.
  Result<std::vector<std::string>> restore(const ComplianceSnapshot& snapshot);

 private:
  std::vector<CriterionStatus> criteria_where(std::optional<ComplianceState> only) const;
  std::vector<ChecklistStatus> checklist_where(std::optional<ComplianceState> only) const;

  struct Criterion {
    std::string zone;
    const v1::Criterion* config = nullptr;
    std::string point_id;
    std::string unit;
    TimeMs tolerance_ms = 0;
    TimeMs no_data_ms = kNoDataMinMs;
    bool applicable = false;
    bool has_value = false;
    double value = 0;
    TimeMs last_good = 0;
    bool no_data = true;
    std::optional<TimeMs> outside_since;
    double worst = 0;
    bool alarm = false;
    ComplianceState state = ComplianceState::not_applicable;
  };
  struct Checklist {
    std::string zone;
    const v1::ChecklistItem* config = nullptr;
    bool applicable = false;
    TimeMs applicable_since = 0;
    std::optional<TimeMs> confirmed_at;
    std::string confirmed_by;
    bool alarm = false;
    TimeMs alarm_start = 0;
    ComplianceState state = ComplianceState::not_applicable;
  };
  using SenseKey = std::pair<std::string, int>;

  bool applies(const google::protobuf::RepeatedPtrField<std::string>& applies_in) const;
  std::optional<TimeMs> next_deadline() const;
  void fire_deadlines(ComplianceUpdate& out);
  void on_good_reading(Criterion& c, double value, TimeMs reading_time, ComplianceUpdate& out);
  void update_applicability(ComplianceUpdate& out, bool new_part);
  void raise(Criterion& c, ComplianceUpdate& out);
  void clear(Criterion& c, const std::string& why, ComplianceUpdate& out);
  void settle_checklist(Checklist& item, ComplianceUpdate& out);
  void note_state(Criterion& c, ComplianceUpdate& out);
  void note_state(Checklist& item, ComplianceUpdate& out);
  void note_senses(ComplianceUpdate& out);
  void accumulate(TimeMs from, TimeMs to);
  void roll_day(ComplianceUpdate& out);
  std::map<SenseKey, ComplianceState> sense_states() const;

  std::shared_ptr<const Venue> venue_;
  const DayCalendar& calendar_;
  TimeMs now_;
  std::string day_;
  std::optional<std::string> day_part_;
  TimeMs day_part_since_ = 0;
  std::vector<Criterion> criteria_;
  std::vector<Checklist> checklist_;
  std::map<std::string, std::vector<std::size_t>, std::less<>> criteria_by_point_;
  std::map<SenseKey, DailyIndex> today_;
  std::map<SenseKey, ComplianceState> last_sense_states_;
};

}  // namespace atmo::zones
