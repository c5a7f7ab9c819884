#include "controller/scene_engine.hpp"

#include <cmath>

#include <boost/json.hpp>

#include "drivers/modbus/register_codec.hpp"
#include "zones/number_format.hpp"

namespace atmo::controller {
namespace json = boost::json;

namespace {

std::string hold_kind_name(Hold::Kind kind) {
  switch (kind) {
    case Hold::Kind::until_next_change: return "until_next_change";
    case Hold::Kind::until_time: return "until_time";
    default: return "none";
  }
}

Hold::Kind hold_kind_from(std::string_view name) {
  if (name == "until_next_change") return Hold::Kind::until_next_change;
  if (name == "until_time") return Hold::Kind::until_time;
  return Hold::Kind::none;
}

bool same_sound(const zones::SoundPlan& a, const zones::SoundPlan& b) {
  return a.soundscape == b.soundscape && a.level_db == b.level_db && a.muted == b.muted && a.cap_db == b.cap_db;
}

// Half a register step: a smaller change cannot reach the device, so it is not worth sending.
double resolution(const zones::Point& point) { return std::abs(modbus::scale_of(*point.map)) / 2; }

}  // namespace

SceneEngine::SceneEngine(std::shared_ptr<const zones::Venue> venue, const Clock& clock,
                         const zones::Schedule& calendar, OutputSink& outputs, SoundSink& sound, EventBus& events)
    : venue_(std::move(venue)), clock_(clock), calendar_(calendar), outputs_(outputs), sound_(sound), events_(events) {}

Status SceneEngine::check_not_in_alarm() const {
  if (fire_alarm_) return make_error("the fire alarm is active: scene changes are refused until it clears");
  return ok_status();
}

Status SceneEngine::apply_zone_scene(std::string_view zone, std::string_view scene, const zones::ChangeCause& cause,
                                     Hold hold) {
  if (!venue_->zone(zone)) return make_error("unknown zone '" + std::string(zone) + "'");
  const auto* zone_scene = venue_->zone_scene(zone, scene);
  if (!zone_scene) {
    return make_error("zone '" + std::string(zone) + "' has no scene '" + std::string(scene) + "'");
  }
  if (auto ok = check_not_in_alarm(); !ok) return ok;
  auto plan = zones::plan_zone_scene(*venue_, zone, *zone_scene, cause);
  if (!plan) return plan.error();

  const TimeMs now = clock_.now_ms();
  ZoneState& state = zones_[std::string(zone)];
  const ZoneState before = state;
  state.scene = std::string(scene);
  state.cause = cause;
  state.since = cause.at != 0 ? cause.at : now;
  state.fade_ms = plan->fade_ms;
  hold.set_at = now;
  state.hold = hold;
  // A scene change restores every output, diagnostic writes included (those the scene does not
  // drive keep theirs: the scene has no value to restore them to).
  for (const auto& target : plan->points) {
    if (overrides_.contains(target.point->id)) end_override(target.point->id, "scene " + std::string(scene) + " applied");
  }
  reconcile_zone(std::string(zone), true, Delivery::when_changed, /*restore=*/true);
  publish_scene_event(std::string(zone), before, state,
                      zones::enforce_safety(*venue_, std::move(*plan), safety_context(now)));
  return ok_status();
}

Status SceneEngine::apply_venue_scene(std::string_view venue_scene, const zones::ChangeCause& cause, Hold hold,
                                      const std::function<bool(std::string_view)>& include) {
  const auto* scene = venue_->venue_scene(venue_scene);
  if (!scene) return make_error("unknown venue scene '" + std::string(venue_scene) + "'");
  if (auto ok = check_not_in_alarm(); !ok) return ok;
  for (const auto& zone : venue_->zones()) {
    const auto* zone_scene = venue_->zone_scene_for(*scene, zone.id());
    if (!zone_scene || (include && !include(zone.id()))) continue;
    if (auto ok = apply_zone_scene(zone.id(), zone_scene->id(), cause, hold); !ok) return ok;
  }
  return ok_status();
}

void SceneEngine::set_fire_alarm(bool active, const std::string& why) {
  if (active == fire_alarm_) return;
  fire_alarm_ = active;
  Event e;
  e.kind = active ? "safety.fire_alarm.raised" : "safety.fire_alarm.cleared";
  e.who = "safety";
  e.subject = "fire_alarm";
  e.message = active ? "Fire alarm: lights to full, sound muted, diffusers off; scene changes refused (" + why + ")"
                     : "Fire alarm cleared: zones return to their scenes (" + why + ")";
  events_.publish(std::move(e));
  // Raised: every safety output is sent again, whatever was sent before (a diffuser switched on
  // by hand while its scene had it off must still go off now).
  const Delivery delivery = active ? Delivery::always : Delivery::when_changed;
  if (active) {
    for (const auto& zone : venue_->zones()) {
      for (const auto& t : zones::fire_alarm_plan(*venue_, zone.id()).points) end_override(t.point->id, "the fire alarm");
    }
  }
  for (const auto& zone : venue_->zones()) reconcile_zone(zone.id(), true, delivery);
}

zones::SafetyContext SceneEngine::safety_context(TimeMs now) const {
  return zones::SafetyContext{fire_alarm_, calendar_.local_clock_time(now)};
}

void SceneEngine::reconcile_zone(const std::string& zone, bool scene_change, Delivery delivery, bool restore) {
  const TimeMs now = clock_.now_ms();
  std::optional<zones::ScenePlan> plan;
  if (fire_alarm_) {
    plan = zones::fire_alarm_plan(*venue_, zone);
  } else {
    auto it = zones_.find(zone);
    if (it == zones_.end()) return;  // no scene asked for yet: leave the zone as it is
    const auto* scene = venue_->zone_scene(zone, it->second.scene);
    if (!scene) return;
    auto planned = zones::plan_zone_scene(*venue_, zone, *scene, it->second.cause);
    if (!planned) return;  // validated venues always plan; nothing sensible to do otherwise
    plan = zones::enforce_safety(*venue_, std::move(*planned), safety_context(now));
  }
  const TimeMs fade_ms = fire_alarm_ ? 0 : plan->fade_ms;
  for (const auto& target : plan->points) {
    const zones::Point& point = *target.point;
    if (auto ov = overrides_.find(point.id); ov != overrides_.end()) {
      // A diagnostic write holds against fades, but never against a rule that starts meanwhile
      // (a scent-free window opening at noon).
      auto safe = check_safe_to_hold(point, ov->second.value, now);
      if (safe) continue;
      end_override(point.id, safe.error().message);
    }
    auto [it, inserted] = outputs_state_.try_emplace(point.id);
    OutputState& out = it->second;
    if (inserted) {
      // Fade from the device's last known state; with none, go straight to the target.
      if (auto seen = observed_.find(point.id); seen != observed_.end()) {
        out.fade = zones::PointFade::hold(seen->second, now, target.curve)
                       .retarget(target.value, now, scene_change ? fade_ms : 0, target.curve);
      } else {
        out.fade = zones::PointFade::hold(target.value, now, target.curve);
      }
    } else if (out.fade.to != target.value) {
      out.fade = out.fade.retarget(target.value, now, fade_ms, target.curve);
    }
    // A scene change restores every output: one the device reads back away from what was last
    // sent (set by hand, by a diagnostic tool on the bus) is sent again though the engine's own
    // value did not change.
    Delivery d = delivery;
    if (restore && out.last_sent) {
      if (auto seen = observed_.find(point.id);
          seen != observed_.end() && std::abs(seen->second - *out.last_sent) >= resolution(point)) {
        d = Delivery::always;
      }
    }
    drive(point, out, now, d);
  }
  if (plan->sound) {
    auto it = sound_state_.find(zone);
    if (it == sound_state_.end() || !same_sound(it->second, *plan->sound)) {
      zones::SoundPlan sound = *plan->sound;
      if (!scene_change && !fire_alarm_) sound.fade_ms = std::max<TimeMs>(sound.fade_ms, 1000);
      sound_state_[zone] = sound;
      sound_.set_sound(zone, sound);
    }
  }
}

void SceneEngine::drive(const zones::Point& point, OutputState& out, TimeMs now, Delivery delivery) {
  // A fade that ends before the next tick cannot be shown in steps anyway: its target goes out now
  // rather than a tick late, so a scene with a short fade reaches its devices at once.
  const double value = out.fade.done(now + tick_ms_) ? out.fade.to : out.fade.value_at(now);
  if (delivery == Delivery::when_changed) {
    if (out.last_sent && std::abs(*out.last_sent - value) < resolution(point) && !out.fade.done(now)) return;
    if (out.last_sent && *out.last_sent == value) return;
  }
  auto ok = outputs_.set_output(point, value, delivery);
  if (!ok) {
    // Report a refused output once, not at every tick of a fade.
    auto [it, inserted] = failed_outputs_.try_emplace(point.id, ok.error().message);
    if (inserted || it->second != ok.error().message) {
      it->second = ok.error().message;
      Event e;
      e.kind = "output.refused";
      e.zone = point.zone;
      e.subject = point.id;
      e.who = "scene-engine";
      e.message = "Output " + point.id + " not set: " + ok.error().message;
      events_.publish(std::move(e));
    }
    return;
  }
  failed_outputs_.erase(point.id);
  out.last_sent = value;
}

Status SceneEngine::check_safe_to_hold(const zones::Point& point, double value, TimeMs now) const {
  // The question is asked of the safety layer itself, so the rules live in one place: the zone's
  // current scene with this one output changed, through enforce_safety. A rule that moves the value
  // (the fire alarm's lights and diffusers, a scent-free window, the duty limit) refuses the write.
  zones::ScenePlan plan;
  plan.zone = point.zone;
  if (auto it = zones_.find(point.zone); it != zones_.end()) {
    if (const auto* scene = venue_->zone_scene(point.zone, it->second.scene)) {
      if (auto planned = zones::plan_zone_scene(*venue_, point.zone, *scene, it->second.cause)) plan = std::move(*planned);
    }
  }
  plan.scene = "manual";
  std::erase_if(plan.points, [&](const zones::PointTarget& t) { return t.point == &point; });
  plan.points.push_back(zones::PointTarget{&point, value, zones::FadeCurve::step, "manual"});
  const auto enforced = zones::enforce_safety(*venue_, std::move(plan), safety_context(now));
  const auto* kept = enforced.target(point.id);
  if (fire_alarm_ && !kept) return ok_status();  // the override leaves this output alone (climate)
  if (kept && std::abs(kept->value - value) < 1e-9) return ok_status();
  // The rule that moved it: the forced target names it as its source, its note says it for people.
  const std::string forced_by = kept ? kept->source : std::string();
  std::string rule = fire_alarm_ ? "the fire alarm holds lights and diffusers until it clears" : "a safety rule holds it";
  for (const auto& n : enforced.notes) {
    if (n.rule == "fire_alarm" && fire_alarm_) break;
    if (n.target == point.id || (!forced_by.empty() && n.rule == forced_by)) {
      rule = n.detail;
      break;
    }
  }
  return make_error(point.id + " cannot be written now: " + rule);
}

std::optional<ManualWriteRefusal> SceneEngine::write_manual(const zones::Point& point, double value,
                                                           const std::string& who) {
  if (!point.output() || point.disabled) {
    return ManualWriteRefusal{false, "'" + point.id + "' is not an output atmo drives"};
  }
  const TimeMs now = clock_.now_ms();
  if (auto safe = check_safe_to_hold(point, value, now); !safe) return ManualWriteRefusal{true, safe.error().message};
  if (auto sent = outputs_.set_output(point, value, Delivery::always); !sent) {
    return ManualWriteRefusal{false, sent.error().message};
  }
  // The engine's own picture of the output moves with the write: a scene change later fades from
  // here and therefore sends, even when the scene asks what it asked before the write.
  OutputState& out = outputs_state_[point.id];
  out.fade = zones::PointFade::hold(value, now, zones::FadeCurve::step);
  out.last_sent = value;
  failed_outputs_.erase(point.id);
  const bool replaced = overrides_.contains(point.id);
  overrides_[point.id] = ManualOverride{point.zone, value, who, now};
  Event e;
  e.kind = "output.override";
  e.zone = point.zone;
  e.subject = point.id;
  e.who = who;
  e.message = point.id + (replaced ? " overridden again by " : " overridden by ") + who + ": " + zones::format_number(value) +
              " until the zone's next scene change";
  events_.publish(std::move(e));
  return std::nullopt;
}

void SceneEngine::end_override(const std::string& point_id, const std::string& why) {
  auto it = overrides_.find(point_id);
  if (it == overrides_.end()) return;
  Event e;
  e.kind = "output.override_ended";
  e.zone = it->second.zone;
  e.subject = point_id;
  e.who = "scene-engine";
  e.message = point_id + " override (" + zones::format_number(it->second.value) + " by " + it->second.who + ") ended: " + why;
  overrides_.erase(it);
  events_.publish(std::move(e));
}

void SceneEngine::tick() {
  const TimeMs now = clock_.now_ms();
  // Re-plan: safety windows open and close by the clock, not by scene changes.
  for (const auto& zone : venue_->zones()) reconcile_zone(zone.id(), false);
  for (auto& [id, out] : outputs_state_) {
    if (overrides_.contains(id)) continue;
    if (const auto* point = venue_->point(id)) drive(*point, out, now);
  }
}

void SceneEngine::note_output_reading(const zones::Point& point, double value) {
  observed_[point.id] = value;
  // During the fire alarm, a safety output read back away from its safe value (switched by hand,
  // or written past atmo with a diagnostic tool on the bus) is sent again at once: the bus would
  // otherwise believe the device still holds what it wrote.
  if (!fire_alarm_) return;
  auto it = outputs_state_.find(point.id);
  if (it == outputs_state_.end() || !it->second.last_sent || overrides_.contains(point.id)) return;
  if (std::abs(value - *it->second.last_sent) < resolution(point)) return;
  drive(point, it->second, clock_.now_ms(), Delivery::always);
}

void SceneEngine::release_hold(std::string_view zone) {
  if (auto it = zones_.find(zone); it != zones_.end()) it->second.hold = {};
}

const ZoneState* SceneEngine::zone_state(std::string_view zone) const {
  auto it = zones_.find(zone);
  return it == zones_.end() ? nullptr : &it->second;
}

std::optional<double> SceneEngine::output_value(std::string_view point_id) const {
  auto it = outputs_state_.find(point_id);
  if (it == outputs_state_.end()) return std::nullopt;
  return it->second.fade.value_at(clock_.now_ms());
}

std::optional<zones::SoundPlan> SceneEngine::sound(std::string_view zone) const {
  auto it = sound_state_.find(zone);
  if (it == sound_state_.end()) return std::nullopt;
  return it->second;
}

void SceneEngine::publish_scene_event(const std::string& zone, const ZoneState& before, const ZoneState& after,
                                      const zones::ScenePlan& plan) {
  const auto* z = venue_->zone(zone);
  const auto* s = venue_->zone_scene(zone, after.scene);
  Event e;
  e.time_ms = after.since;
  e.kind = "scene.applied";
  e.zone = zone;
  e.subject = after.scene;
  e.who = after.cause.who;
  e.message = zones::Venue::display_name(z->name(), "en", zone) + ": " +
              (before.scene.empty() ? "" : before.scene + " -> ") + zones::Venue::display_name(s->name(), "en", after.scene) +
              " (fade " + std::to_string(after.fade_ms / 1000) + " s)" +
              (after.cause.why.empty() ? "" : "; " + after.cause.why);
  json::object details{{"before", before.scene}, {"after", after.scene}, {"why", after.cause.why},
                       {"fade_ms", after.fade_ms}, {"hold", hold_kind_name(after.hold.kind)}};
  if (after.hold.kind == Hold::Kind::until_time) details["hold_until_ms"] = after.hold.until;
  json::array notes;
  for (const auto& n : plan.notes) notes.push_back(json::object{{"rule", n.rule}, {"target", n.target}, {"detail", n.detail}});
  details["notes"] = std::move(notes);
  e.details_json = json::serialize(details);
  events_.publish(std::move(e));
}

std::string SceneEngine::snapshot_json() const {
  json::object zones;
  for (const auto& [id, z] : zones_) {
    zones[id] = json::object{{"scene", z.scene},        {"who", z.cause.who},
                             {"why", z.cause.why},      {"since", z.since},
                             {"fade_ms", z.fade_ms},    {"hold", hold_kind_name(z.hold.kind)},
                             {"hold_until", z.hold.until}, {"hold_set_at", z.hold.set_at}};
  }
  return json::serialize(json::object{{"version", 1}, {"zones", std::move(zones)}});
}

Status SceneEngine::restore_json(std::string_view text) {
  json::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object() || !doc.as_object().contains("zones") || !doc.at("zones").is_object()) {
    return make_error("the saved scene state is not valid (" + (ec ? ec.message() : std::string("no zones")) + ")");
  }
  for (const auto& [key, value] : doc.at("zones").as_object()) {
    const std::string zone(key);
    if (!value.is_object()) continue;
    const auto& o = value.as_object();
    const auto str = [&](const char* k) { return o.contains(k) && o.at(k).is_string() ? std::string(o.at(k).as_string()) : std::string(); };
    const auto num = [&](const char* k) -> TimeMs { return o.contains(k) && o.at(k).is_int64() ? o.at(k).as_int64() : 0; };
    const std::string scene = str("scene");
    if (!venue_->zone_scene(zone, scene)) continue;  // the venue changed since: the schedule decides
    ZoneState state;
    state.scene = scene;
    state.cause = zones::ChangeCause{str("who"), str("why")};
    state.since = num("since");
    state.fade_ms = num("fade_ms");
    state.hold = Hold{hold_kind_from(str("hold")), num("hold_until"), num("hold_set_at")};
    zones_[zone] = state;
  }
  for (const auto& zone : venue_->zones()) reconcile_zone(zone.id(), true);
  return ok_status();
}

}  // namespace atmo::controller
