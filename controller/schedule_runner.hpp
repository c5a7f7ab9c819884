// Runs the venue's day programs. State-based: every tick it asks the Schedule which change should
// be in force now and applies it if it has not been yet, so start-up catch-up, a missed timer and a
// clock jump all take the same path. Manual holds are honoured here: a zone held "until the next
// change" is released by the next scheduled change; one held until a time returns to the schedule
// when the time is up. Runs on the controller thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "controller/event_bus.hpp"
#include "controller/scene_engine.hpp"
#include "zones/schedule.hpp"

namespace atmo::controller {

class ScheduleRunner {
 public:
  ScheduleRunner(std::shared_ptr<const zones::Venue> venue, const Clock& clock, const zones::Schedule& schedule,
                 SceneEngine& scenes, EventBus& events);

  /// Applies the change in force now if it has not been applied; returns held zones whose time is
  /// up to the schedule. Call about once a second.
  void tick();

  /// The scheduled change in force now (the venue's day part), applied or not.
  std::optional<zones::ScheduledChange> active() const;
  /// The venue scene the schedule says is in force now ("" when none): the day part the sensory
  /// standard is judged in.
  std::string day_part() const;

  /// The last change applied, for the restart state, and its restore.
  std::optional<TimeMs> last_applied_at() const { return last_applied_at_; }
  void restore_last_applied(TimeMs at, std::string venue_scene);

  /// Venue time between two ticks (about a second; more on a fast venue clock). A change that
  /// fired within a few such spans since the last tick is applied and stamped at its own time,
  /// and every change stepped over in between is applied too, once, in order; a longer gap is a
  /// clock jump and only the change in force now applies (as at start-up).
  void set_tick_span(TimeMs span_ms) { tick_span_ms_ = span_ms; }

 private:
  bool include_zone(std::string_view zone, const zones::ScheduledChange& change, TimeMs now);
  void return_expired_holds(const zones::ScheduledChange& change, TimeMs now);
  static std::string describe(const zones::ScheduledChange& change);
  /// Applies `change`; `stamp_at_change`: the events carry the change's time instead of now.
  bool apply(const zones::ScheduledChange& change, TimeMs now, bool stamp_at_change);

  std::shared_ptr<const zones::Venue> venue_;
  const Clock& clock_;
  const zones::Schedule& schedule_;
  SceneEngine& scenes_;
  EventBus& events_;

  std::optional<TimeMs> last_applied_at_;
  std::string last_applied_scene_;
  std::optional<TimeMs> last_tick_ms_;
  TimeMs tick_span_ms_ = 1000;
  bool refusal_reported_ = false;
  bool started_ = false;
};

}  // namespace atmo::controller
