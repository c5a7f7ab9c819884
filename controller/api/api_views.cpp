#include "controller/api/api_views.hpp"

namespace atmo::api {

std::string_view hold_kind_name(controller::Hold::Kind kind) {
  switch (kind) {
    case controller::Hold::Kind::until_next_change: return "until_next_change";
    case controller::Hold::Kind::until_time: return "until_time";
    default: return "none";
  }
}

v1::VenueInfo venue_info(controller::Controller& c) {
  const auto& venue = c.venue();
  const auto& cfg = venue.config();
  v1::VenueInfo out;
  out.set_id(cfg.id());
  *out.mutable_name() = cfg.name();
  out.set_time_zone(cfg.time_zone());
  for (const auto& z : venue.zones()) {
    auto* zi = out.add_zones();
    zi->set_id(z.id());
    *zi->mutable_name() = z.name();
    zi->set_audio_cap_db(z.safety().has_audio_cap_db() ? z.safety().audio_cap_db() : zones::kDefaultAudioCapDb);
    for (const auto& s : z.scenes()) {
      auto* si = zi->add_scenes();
      si->set_id(s.id());
      *si->mutable_name() = s.name();
      *si->mutable_scene() = s;
    }
    for (const auto& p : venue.points()) {
      if (p.zone != z.id() || p.disabled) continue;
      auto* pi = zi->add_points();
      pi->set_id(p.id);
      pi->set_quantity(p.quantity());
      pi->set_unit(p.map->unit());
      pi->set_output(p.output());
      *pi->mutable_label() = p.map->label();
      *pi->mutable_range() = p.map->range();
    }
    *zi->mutable_criteria() = z.standard().criteria();
    *zi->mutable_checklist() = z.standard().checklist();
  }
  for (const auto& vs : cfg.venue_scenes()) {
    auto* vi = out.add_venue_scenes();
    vi->set_id(vs.id());
    *vi->mutable_name() = vs.name();
    for (const auto& z : venue.zones()) {
      if (const auto* zs = venue.zone_scene_for(vs, z.id())) (*vi->mutable_zones())[z.id()] = zs->id();
    }
  }
  return out;
}

v1::LiveReading live_reading(const controller::Controller& c, const zones::Point& point) {
  v1::LiveReading r;
  r.set_point(point.id);
  r.set_unit(point.map->unit());
  const auto& live = c.live();
  if (auto it = live.find(point.id); it != live.end()) {
    r.set_time_ms(it->second.time_ms);
    r.set_value(it->second.value);
    r.set_quality(it->second.quality);
    r.set_error(it->second.error);
  }
  return r;
}

v1::SenseStatus sense_status(controller::Controller& c, std::string_view zone, v1::Sense sense) {
  v1::SenseStatus s;
  s.set_sense(sense);
  s.set_state(std::string(zones::to_string(c.compliance().sense_state(zone, sense))));
  return s;
}

v1::ZoneStatus zone_status(controller::Controller& c, std::string_view zone, bool with_readings,
                           const SoundOverrides& sound) {
  v1::ZoneStatus out;
  out.set_zone(std::string(zone));
  out.set_fire_alarm(c.fire_alarm());
  if (const auto* st = c.scenes().zone_state(zone)) {
    out.set_scene(st->scene);
    out.set_cause_who(st->cause.who);
    out.set_cause_why(st->cause.why);
    out.set_since_ms(st->since);
    out.set_fade_ms(st->fade_ms);
    out.mutable_hold()->set_kind(std::string(hold_kind_name(st->hold.kind)));
    if (st->hold.kind == controller::Hold::Kind::until_time) out.mutable_hold()->set_until_ms(st->hold.until);
  } else {
    out.mutable_hold()->set_kind("none");
  }
  if (auto plan = c.scenes().sound(zone)) {
    out.set_soundscape(plan->soundscape);
    if (plan->level_db) out.set_sound_level_db(*plan->level_db);
    out.set_sound_muted(plan->muted);
  }
  if (auto it = sound.find(zone); it != sound.end() && it->second.at >= out.since_ms()) {
    out.set_sound_level_db(it->second.level_db);
  }
  for (const auto& [id, o] : c.scenes().overrides()) {
    if (o.zone != zone) continue;
    auto* v = out.add_overrides();
    v->set_point(id);
    v->set_value(o.value);
    v->set_who(o.who);
    v->set_since_ms(o.since);
  }
  for (int s = v1::SENSE_SIGHT; s <= v1::SENSE_TASTE; ++s) {
    *out.add_senses() = sense_status(c, zone, static_cast<v1::Sense>(s));
  }
  if (with_readings) {
    for (const auto& p : c.venue().points()) {
      if (p.zone == zone && !p.disabled) *out.add_readings() = live_reading(c, p);
    }
  }
  return out;
}

v1::ChecklistView checklist_view(const controller::Controller& c, const zones::ChecklistStatus& s) {
  v1::ChecklistView v;
  v.set_zone(s.zone);
  v.set_id(s.id);
  v.set_sense(s.sense);
  v.set_state(std::string(zones::to_string(s.state)));
  if (s.confirmed_at) v.set_confirmed_ms(*s.confirmed_at);
  v.set_confirmed_by(s.confirmed_by);
  if (s.due_at) v.set_due_ms(*s.due_at);
  if (const auto* z = c.venue().zone(s.zone)) {
    for (const auto& item : z->standard().checklist()) {
      if (item.id() == s.id) *v.mutable_name() = item.name();
    }
  }
  return v;
}

v1::ComplianceNow compliance_now(controller::Controller& c) {
  v1::ComplianceNow out;
  out.set_day_part(c.runner().day_part());
  const auto criteria = c.compliance().criteria();
  const auto checklist = c.compliance().checklist();
  for (const auto& z : c.venue().zones()) {
    auto* zc = out.add_zones();
    zc->set_zone(z.id());
    for (int s = v1::SENSE_SIGHT; s <= v1::SENSE_TASTE; ++s) *zc->add_senses() = sense_status(c, z.id(), static_cast<v1::Sense>(s));
    for (const auto& cs : criteria) {
      if (cs.zone != z.id()) continue;
      auto* cv = zc->add_criteria();
      cv->set_id(cs.id);
      cv->set_sense(cs.sense);
      cv->set_point(cs.point);
      cv->set_state(std::string(zones::to_string(cs.state)));
      cv->set_has_value(cs.last_value.has_value());
      if (cs.last_value) cv->set_last_value(*cs.last_value);
      cv->set_last_good_ms(cs.last_good_ms);
      if (cs.outside_since) cv->set_outside_since_ms(*cs.outside_since);
      for (const auto& cfg : z.standard().criteria()) {
        if (cfg.id() == cs.id) {
          *cv->mutable_range() = cfg.range();
          *cv->mutable_name() = cfg.name();
        }
      }
    }
    for (const auto& item : checklist) {
      if (item.zone == z.id()) *zc->add_checklist() = checklist_view(c, item);
    }
  }
  return out;
}

namespace {

v1::ChangeView change_view(const zones::ScheduledChange& ch) {
  v1::ChangeView v;
  v.set_at_ms(ch.at);
  v.set_date(ch.date.to_string());
  v.set_local_time(ch.local_time);
  v.set_venue_scene(ch.venue_scene);
  v.set_program(ch.program);
  v.set_reason(ch.reason);
  v.set_shifted(ch.shifted);
  return v;
}

v1::ProgramView program_view(const zones::Schedule& s, const zones::LocalDate& d) {
  v1::ProgramView v;
  v.set_date(d.to_string());
  const auto choice = s.program_on(d);
  if (choice.program) v.set_program(choice.program->id());
  v.set_reason(choice.reason);
  v.set_exception(choice.exception);
  return v;
}

}  // namespace

v1::ScheduleView schedule_view(controller::Controller& c, int days) {
  const auto& s = c.schedule();
  const TimeMs now = c.clock().now_ms();
  v1::ScheduleView out;
  out.set_time_zone(s.time_zone());
  out.set_day_part(c.runner().day_part());
  const auto today = s.local_date(now);
  out.set_today(today.to_string());
  *out.mutable_today_program() = program_view(s, today);
  // Tomorrow: the local date of the first instant of the next day.
  *out.mutable_tomorrow_program() = program_view(s, s.local_date(s.next_day_start(now)));
  if (auto active = c.runner().active()) *out.mutable_active() = change_view(*active);
  for (const auto& ch : s.upcoming(now, days)) *out.add_upcoming() = change_view(ch);
  for (const auto& ch : s.changes_on(today)) *out.add_today_changes() = change_view(ch);
  return out;
}

v1::DevicesView devices_view(controller::Controller& c) {
  v1::DevicesView out;
  for (const auto& h : c.devices().health()) {
    auto* d = out.add_devices();
    d->set_device_id(h.device_id);
    d->set_bus_id(h.bus_id);
    d->set_unit(h.unit);
    d->set_online(h.online);
    d->set_ever_answered(h.ever_answered);
    d->set_consecutive_failures(h.consecutive_failures);
    d->set_last_error(h.last_error);
    d->set_last_error_ms(h.last_error_ms);
    d->set_last_answer_ms(h.last_answer_ms);
    d->set_requests(static_cast<std::int64_t>(h.requests));
    d->set_errors(static_cast<std::int64_t>(h.errors));
    d->set_timeouts(static_cast<std::int64_t>(h.timeouts));
    d->set_latency_p50_ms(h.latency_p50_ms);
    d->set_latency_p99_ms(h.latency_p99_ms);
  }
  for (const auto& b : c.devices().bus_stats()) {
    auto* v = out.add_buses();
    v->set_bus_id(b.bus_id);
    v->set_endpoint(b.endpoint);
    v->set_connected(b.connected);
    v->set_connects(static_cast<std::int64_t>(b.connects));
    v->set_connect_failures(static_cast<std::int64_t>(b.connect_failures));
    v->set_reads(static_cast<std::int64_t>(b.reads));
    v->set_writes(static_cast<std::int64_t>(b.writes));
    v->set_skipped_polls(static_cast<std::int64_t>(b.skipped_polls));
    v->set_plan_requests(static_cast<std::uint32_t>(b.plan_requests));
    v->set_polled_points(static_cast<std::uint32_t>(b.polled_points));
    v->set_last_error(b.last_error);
  }
  return out;
}

v1::EventView event_view(const controller::Event& e) {
  v1::EventView v;
  v.set_id(e.id);
  v.set_time_ms(e.time_ms);
  v.set_kind(e.kind);
  v.set_zone(e.zone);
  v.set_subject(e.subject);
  v.set_who(e.who);
  v.set_message(e.message);
  v.set_details_json(e.details_json);
  return v;
}

}  // namespace atmo::api
