#include "zones/scene_plan.hpp"

#include "zones/number_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace atmo::zones {
namespace {

// Sets (or replaces) the target of one point, clamping to the point's valid range.
void set_target(ScenePlan& plan, const Point* point, double value, std::string source) {
  if (point->disabled) {
    plan.notes.push_back({"disabled", point->id, "not written: listed in the device's disabled_points"});
    return;
  }
  const auto& range = point->map->range();
  if (range.min() < range.max() && (value < range.min() || value > range.max())) {
    const double clamped = std::clamp(value, range.min(), range.max());
    plan.notes.push_back({"range", point->id,
                          source + " " + format_number(value) + " clamped to " + format_number(clamped) +
                              " (point range " + format_number(range.min()) + ".." +
                              format_number(range.max()) + ")"});
    value = clamped;
  }
  PointTarget target{point, value, fade_curve_for(point->quantity()), std::move(source)};
  for (auto& existing : plan.points) {
    if (existing.point == point) {
      existing = std::move(target);
      return;
    }
  }
  plan.points.push_back(std::move(target));
}

void set_quantity(ScenePlan& plan, const Venue& venue, v1::Quantity quantity, double value,
                  const std::string& source) {
  for (const Point* p : venue.zone_points(plan.zone, quantity)) {
    if (p->output()) set_target(plan, p, value, source);
  }
}

void remove_targets(ScenePlan& plan, v1::Quantity quantity) {
  std::erase_if(plan.points, [&](const PointTarget& t) { return t.point->quantity() == quantity; });
}

bool scent_free_covers(const v1::ScentFreeWindow& w, std::string_view zone, LocalClockTime at) {
  if (!w.zones().empty() &&
      std::none_of(w.zones().begin(), w.zones().end(), [&](const std::string& z) { return z == zone; })) {
    return false;
  }
  auto from = parse_hhmm(w.from());
  auto to = parse_hhmm(w.to());
  if (!from || !to) return false;
  auto on_day = [&](int iso) {
    return w.days().empty() ||
           std::any_of(w.days().begin(), w.days().end(), [&](int d) { return d == iso; });
  };
  const int yesterday = at.weekday == 1 ? 7 : at.weekday - 1;
  const int m = at.minute_of_day;
  if (*from == *to) return on_day(at.weekday);
  if (*from < *to) return on_day(at.weekday) && m >= *from && m < *to;
  // Wraps midnight: the evening part belongs to today, the early-morning part to yesterday's window.
  return (m >= *from && on_day(at.weekday)) || (m < *to && on_day(yesterday));
}

void force_scent_off(ScenePlan& plan, const Venue& venue, const std::string& rule, const std::string& why) {
  remove_targets(plan, v1::QUANTITY_SCENT_INTENSITY);
  remove_targets(plan, v1::QUANTITY_SCENT_ENABLE);
  const auto before = plan.notes.size();
  set_quantity(plan, venue, v1::QUANTITY_SCENT_ENABLE, 0, rule);
  set_quantity(plan, venue, v1::QUANTITY_SCENT_INTENSITY, 0, rule);
  plan.notes.resize(before);  // "disabled" notes for forced values are noise here
  plan.notes.push_back({rule, plan.zone, why});
}

void apply_duty_limit(ScenePlan& plan, const Venue& venue, double max_duty) {
  if (max_duty >= 100.0) return;
  if (max_duty <= 0.0) {
    force_scent_off(plan, venue, "scent_max_duty", "diffusers off: the zone's scent_max_duty is 0 %");
    return;
  }
  // Per diffuser: a scene or an explicit point may set work and pause of each device.
  std::map<const Device*, std::pair<PointTarget*, PointTarget*>> cycles;
  for (auto& t : plan.points) {
    if (t.point->quantity() == v1::QUANTITY_SCENT_WORK) cycles[t.point->device].first = &t;
    if (t.point->quantity() == v1::QUANTITY_SCENT_PAUSE) cycles[t.point->device].second = &t;
  }
  std::vector<std::pair<const Point*, double>> added_pauses;
  for (auto& [device, cycle] : cycles) {
    auto* work = cycle.first;
    auto* pause = cycle.second;
    if (!work || work->value <= 0) continue;
    const auto work_s = static_cast<std::uint32_t>(std::lround(work->value));
    if (pause) {
      const auto pause_s = static_cast<std::uint32_t>(std::max(0L, std::lround(pause->value)));
      const DutyCycle clamped = clamp_duty({work_s, pause_s}, max_duty);
      if (clamped.pause_s != pause_s) {
        const double duty = 100.0 * work_s / (work_s + pause_s);
        plan.notes.push_back({"scent_max_duty", pause->point->id,
                              "pause " + std::to_string(pause_s) + " s lengthened to " +
                                  std::to_string(clamped.pause_s) + " s: duty " + format_number(duty) +
                                  " % > max " + format_number(max_duty) + " %"});
        pause->value = clamped.pause_s;
      }
      continue;
    }
    // Work set without a pause: the device's own pause is unknown, so write the shortest safe one.
    for (const Point* p : device->points) {
      if (p->quantity() == v1::QUANTITY_SCENT_PAUSE && p->output() && !p->disabled) {
        added_pauses.emplace_back(p, clamp_duty({work_s, 0}, max_duty).pause_s);
      }
    }
  }
  for (const auto& [point, value] : added_pauses) {
    set_target(plan, point, value, "scent_max_duty");
    plan.notes.push_back({"scent_max_duty", point->id,
                          "pause set to " + format_number(value) + " s: the scene sets work time only and " +
                              "the duty limit is " + format_number(max_duty) + " %"});
  }
}

}  // namespace

const PointTarget* ScenePlan::target(std::string_view point_id) const {
  for (const auto& t : points) {
    if (t.point->id == point_id) return &t;
  }
  return nullptr;
}

Result<ScenePlan> plan_zone_scene(const Venue& venue, std::string_view zone, const v1::ZoneScene& scene,
                                  ChangeCause cause) {
  if (!venue.zone(zone)) return make_error("unknown zone \"" + std::string(zone) + "\"");
  ScenePlan plan;
  plan.zone = std::string(zone);
  plan.scene = scene.id();
  plan.cause = std::move(cause);
  plan.fade_ms = scene.fade_ms() > 0 ? TimeMs{scene.fade_ms()} : kDefaultSceneFadeMs;

  if (scene.has_light()) {
    const auto& l = scene.light();
    if (l.has_level()) set_quantity(plan, venue, v1::QUANTITY_LIGHT_LEVEL, l.level(), "light.level");
    if (l.has_cct()) set_quantity(plan, venue, v1::QUANTITY_LIGHT_CCT, l.cct(), "light.cct");
    if (l.has_red()) set_quantity(plan, venue, v1::QUANTITY_LIGHT_RED, l.red(), "light.red");
    if (l.has_green()) set_quantity(plan, venue, v1::QUANTITY_LIGHT_GREEN, l.green(), "light.green");
    if (l.has_blue()) set_quantity(plan, venue, v1::QUANTITY_LIGHT_BLUE, l.blue(), "light.blue");
    if (l.has_white()) set_quantity(plan, venue, v1::QUANTITY_LIGHT_WHITE, l.white(), "light.white");
  }
  if (scene.has_scent()) {
    const auto& s = scene.scent();
    set_quantity(plan, venue, v1::QUANTITY_SCENT_ENABLE, s.enabled() ? 1 : 0, "scent.enabled");
    if (s.has_intensity()) set_quantity(plan, venue, v1::QUANTITY_SCENT_INTENSITY, s.intensity(), "scent.intensity");
    if (s.has_work_s()) set_quantity(plan, venue, v1::QUANTITY_SCENT_WORK, s.work_s(), "scent.work_s");
    if (s.has_pause_s()) set_quantity(plan, venue, v1::QUANTITY_SCENT_PAUSE, s.pause_s(), "scent.pause_s");
  }
  if (scene.has_climate()) {
    const auto& c = scene.climate();
    if (c.has_setpoint()) {
      set_quantity(plan, venue, v1::QUANTITY_TEMPERATURE_SETPOINT, c.setpoint(), "climate.setpoint");
    }
    if (c.has_floor_setpoint()) {
      set_quantity(plan, venue, v1::QUANTITY_FLOOR_SETPOINT, c.floor_setpoint(), "climate.floor_setpoint");
    }
  }
  for (const auto& pv : scene.points()) {
    const Point* p = venue.zone_point(zone, pv.point());
    if (!p || !p->output()) {
      return make_error("zone " + std::string(zone) + ", scene " + scene.id() + ": \"" + pv.point() +
                        "\" is not an output of the zone (expected <device>.<point> of a writable point)");
    }
    set_target(plan, p, pv.value(), "points[" + pv.point() + "]");
  }
  if (scene.has_sound()) {
    SoundPlan sound;
    sound.soundscape = scene.sound().soundscape();
    if (scene.sound().has_level_db()) sound.level_db = scene.sound().level_db();
    sound.fade_ms = plan.fade_ms;
    plan.sound = std::move(sound);
  }
  return plan;
}

Result<std::vector<ScenePlan>> plan_venue_scene(const Venue& venue, std::string_view venue_scene,
                                                const ChangeCause& cause) {
  const v1::VenueScene* vs = venue.venue_scene(venue_scene);
  if (!vs) return make_error("unknown venue scene \"" + std::string(venue_scene) + "\"");
  std::vector<ScenePlan> plans;
  for (const auto& zone : venue.zones()) {
    const v1::ZoneScene* zs = venue.zone_scene_for(*vs, zone.id());
    if (!zs) continue;
    auto plan = plan_zone_scene(venue, zone.id(), *zs, cause);
    if (!plan) return plan.error();
    plans.push_back(std::move(plan).value());
  }
  return plans;
}

ScenePlan fire_alarm_plan(const Venue& venue, std::string_view zone) {
  ScenePlan plan;
  plan.zone = std::string(zone);
  plan.scene = "fire-alarm";
  plan.cause = {"safety", "fire alarm active"};
  plan.fade_ms = 0;
  for (auto q : {v1::QUANTITY_LIGHT_LEVEL, v1::QUANTITY_LIGHT_RED, v1::QUANTITY_LIGHT_GREEN,
                 v1::QUANTITY_LIGHT_BLUE, v1::QUANTITY_LIGHT_WHITE}) {
    set_quantity(plan, venue, q, 100, "fire_alarm");
  }
  set_quantity(plan, venue, v1::QUANTITY_SCENT_ENABLE, 0, "fire_alarm");
  set_quantity(plan, venue, v1::QUANTITY_SCENT_INTENSITY, 0, "fire_alarm");
  for (auto& t : plan.points) t.curve = FadeCurve::step;  // within one second: no fades
  SoundPlan sound;
  sound.muted = true;
  sound.fade_ms = 0;
  if (const auto* z = venue.zone(zone)) sound.cap_db = audio_cap_db(z->safety());
  plan.sound = sound;
  plan.notes.push_back({"fire_alarm", plan.zone, "lights full, audio muted, diffusers off until the alarm clears"});
  return plan;
}

double audio_cap_db(const v1::ZoneSafety& safety) {
  return safety.has_audio_cap_db() ? safety.audio_cap_db() : kDefaultAudioCapDb;
}

double scent_max_duty(const v1::ZoneSafety& safety) {
  return safety.has_scent_max_duty() ? safety.scent_max_duty() : kDefaultScentMaxDuty;
}

DutyCycle clamp_duty(DutyCycle cycle, double max_duty_percent) {
  if (max_duty_percent >= 100.0 || max_duty_percent <= 0.0 || cycle.work_s == 0) return cycle;
  const double total = static_cast<double>(cycle.work_s) + cycle.pause_s;
  if (100.0 * cycle.work_s <= max_duty_percent * total) return cycle;
  // Smallest whole-second pause with work / (work + pause) <= max: pause >= work (100 - max) / max.
  const double min_pause = cycle.work_s * (100.0 - max_duty_percent) / max_duty_percent;
  auto pause = static_cast<std::uint32_t>(std::ceil(min_pause - 1e-9));
  while (100.0 * cycle.work_s > max_duty_percent * (static_cast<double>(cycle.work_s) + pause)) ++pause;
  return {cycle.work_s, pause};
}

const v1::ScentFreeWindow* scent_free_window_at(const v1::Safety& safety, std::string_view zone,
                                                LocalClockTime at) {
  for (const auto& w : safety.scent_free()) {
    if (scent_free_covers(w, zone, at)) return &w;
  }
  return nullptr;
}

ScenePlan enforce_safety(const Venue& venue, ScenePlan plan, const SafetyContext& context) {
  if (context.fire_alarm) {
    ScenePlan override_plan = fire_alarm_plan(venue, plan.zone);
    override_plan.notes.push_back({"fire_alarm", plan.zone,
                                   "scene \"" + plan.scene + "\" asked by " + plan.cause.who +
                                       " refused while the fire alarm is active"});
    return override_plan;
  }
  const v1::Zone* zone = venue.zone(plan.zone);
  const v1::ZoneSafety no_limits_set;
  const v1::ZoneSafety& limits = zone ? zone->safety() : no_limits_set;

  if (plan.sound) {
    const double cap = audio_cap_db(limits);
    plan.sound->cap_db = cap;
    if (plan.sound->level_db && *plan.sound->level_db > cap) {
      plan.notes.push_back({"audio_cap", "sound",
                            "level " + format_number(*plan.sound->level_db) + " dB capped to the zone cap " +
                                format_number(cap) + " dB"});
      plan.sound->level_db = cap;
    }
  }
  apply_duty_limit(plan, venue, scent_max_duty(limits));
  if (const auto* w = scent_free_window_at(venue.config().safety(), plan.zone, context.local)) {
    force_scent_off(plan, venue, "scent_free",
                    "scent off: scent-free window " + w->from() + "-" + w->to() +
                        (w->reason().empty() ? std::string() : " (" + w->reason() + ")"));
  }
  return plan;
}

}  // namespace atmo::zones
