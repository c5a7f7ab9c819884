#include "controller/schedule_runner.hpp"

#include <boost/json.hpp>

namespace atmo::controller {

ScheduleRunner::ScheduleRunner(std::shared_ptr<const zones::Venue> venue, const Clock& clock,
                               const zones::Schedule& schedule, SceneEngine& scenes, EventBus& events)
    : venue_(std::move(venue)), clock_(clock), schedule_(schedule), scenes_(scenes), events_(events) {}

std::optional<zones::ScheduledChange> ScheduleRunner::active() const { return schedule_.active_at(clock_.now_ms()); }

std::string ScheduleRunner::day_part() const {
  auto change = active();
  return change ? change->venue_scene : std::string();
}

void ScheduleRunner::restore_last_applied(TimeMs at, std::string venue_scene) {
  last_applied_at_ = at;
  last_applied_scene_ = std::move(venue_scene);
}

std::string ScheduleRunner::describe(const zones::ScheduledChange& change) {
  std::string text = "program " + change.program + ", step " + change.step_at;
  if (change.shifted) text += " (fired at " + change.local_time + ": that time did not exist that day)";
  if (!change.reason.empty()) text += "; " + change.reason;
  return text;
}

bool ScheduleRunner::include_zone(std::string_view zone, const zones::ScheduledChange& change, TimeMs now) {
  const ZoneState* state = scenes_.zone_state(zone);
  if (!state) return true;
  switch (state->hold.kind) {
    case Hold::Kind::none:
      return true;
    case Hold::Kind::until_next_change:
      // A hold set before this change fired ends with it; one set after it outlives it.
      if (change.at > state->hold.set_at) return true;
      return false;
    case Hold::Kind::until_time:
      return now >= state->hold.until;
  }
  return true;
}

void ScheduleRunner::tick() {
  const TimeMs now = clock_.now_ms();
  const auto previous = last_tick_ms_;
  last_tick_ms_ = now;
  // Continuous time (not a start-up, not a jump): on a fast venue clock one tick can span minutes,
  // so the changes it stepped over are applied in order and each is stamped at its own time.
  constexpr TimeMs kSpansOfContinuity = 60;
  const bool continuous = started_ && previous && now > *previous && now - *previous <= kSpansOfContinuity * tick_span_ms_;
  if (continuous) {
    auto due = schedule_.changes_between(*previous, now);
    if (!due.empty()) due.pop_back();  // the one in force now is applied below
    for (const auto& change : due) {
      if (last_applied_at_ && change.at <= *last_applied_at_) continue;
      if (!apply(change, now, true)) return;
    }
  }
  auto change = schedule_.active_at(now);
  if (!change) return;
  if (last_applied_at_ == change->at && last_applied_scene_ == change->venue_scene) {
    return_expired_holds(*change, now);
    return;
  }
  apply(*change, now, continuous && change->at > *previous);
}

bool ScheduleRunner::apply(const zones::ScheduledChange& change, TimeMs now, bool stamp_at_change) {
  const bool catch_up = !started_ && now - change.at > 60'000;
  zones::ChangeCause cause{"schedule", (catch_up ? "catch-up at start-up: " : "") + describe(change),
                           stamp_at_change ? change.at : 0};
  const TimeMs at = stamp_at_change ? change.at : now;
  std::vector<std::string> held;
  auto include = [&](std::string_view zone) {
    if (include_zone(zone, change, at)) return true;
    held.emplace_back(zone);
    return false;
  };
  auto applied = scenes_.apply_venue_scene(change.venue_scene, cause, {}, include);
  if (!applied) {
    // Refused (fire alarm): keep it due, so it applies the moment the refusal ends.
    if (!refusal_reported_) {
      Event e;
      e.kind = "schedule.deferred";
      e.who = "schedule";
      e.subject = change.venue_scene;
      e.message = "Scheduled '" + change.venue_scene + "' (" + describe(change) + ") deferred: " + applied.error().message;
      events_.publish(std::move(e));
      refusal_reported_ = true;
    }
    return false;
  }
  refusal_reported_ = false;
  started_ = true;
  last_applied_at_ = change.at;
  last_applied_scene_ = change.venue_scene;
  Event e;
  e.time_ms = stamp_at_change ? change.at : 0;
  e.kind = "schedule.applied";
  e.who = "schedule";
  e.subject = change.venue_scene;
  e.message = "Venue scene '" + change.venue_scene + "': " + cause.why;
  boost::json::array held_json;
  for (const auto& z : held) held_json.emplace_back(z);
  if (!held.empty()) e.message += "; manual choice kept in " + std::to_string(held.size()) + " zone(s)";
  e.details_json = boost::json::serialize(boost::json::object{
      {"at_ms", change.at}, {"program", change.program}, {"step", change.step_at}, {"held_zones", held_json}});
  events_.publish(std::move(e));
  // Holds released by this change no longer apply.
  for (const auto& zone : venue_->zones()) {
    if (std::find(held.begin(), held.end(), zone.id()) == held.end()) scenes_.release_hold(zone.id());
  }
  return true;
}

void ScheduleRunner::return_expired_holds(const zones::ScheduledChange& change, TimeMs now) {
  const auto* scene = venue_->venue_scene(change.venue_scene);
  if (!scene) return;
  for (const auto& zone : venue_->zones()) {
    const ZoneState* state = scenes_.zone_state(zone.id());
    if (!state || state->hold.kind != Hold::Kind::until_time || now < state->hold.until) continue;
    const auto* zone_scene = venue_->zone_scene_for(*scene, zone.id());
    if (!zone_scene) {
      scenes_.release_hold(zone.id());
      continue;
    }
    zones::ChangeCause cause{"schedule", "manual hold ended; back to " + describe(change)};
    if (scenes_.apply_zone_scene(zone.id(), zone_scene->id(), cause)) scenes_.release_hold(zone.id());
  }
}

}  // namespace atmo::controller
