#include "zones/compliance.hpp"

#include "zones/number_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

namespace atmo::zones {
namespace {


std::string format_duration(TimeMs ms) {
  const TimeMs s = ms / 1000;
  char buf[48];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>((s / 60) % 60));
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  }
  return buf;
}

// How far outside [min, max] a value is; 0 inside.
double excess(const v1::Range& r, double v) {
  if (v > r.max()) return v - r.max();
  if (v < r.min()) return r.min() - v;
  return 0;
}

}  // namespace

ComplianceEngine::ComplianceEngine(std::shared_ptr<const Venue> venue, const DayCalendar& calendar, TimeMs start)
    : venue_(std::move(venue)), calendar_(calendar), now_(start), day_(calendar.day_of(start)) {
  for (const auto& zone : venue_->zones()) {
    for (const auto& c : zone.standard().criteria()) {
      Criterion t;
      t.zone = zone.id();
      t.config = &c;
      t.point_id = zone.id() + "." + c.point();
      t.tolerance_ms = TimeMs{c.tolerance_s() > 0 ? c.tolerance_s() : kDefaultToleranceS} * 1000;
      if (const Point* p = venue_->zone_point(zone.id(), c.point())) {
        t.unit = p->map->unit();
        t.no_data_ms = std::max<TimeMs>(kNoDataMinMs, kNoDataPollPeriods * p->poll_period.count());
      }
      criteria_by_point_[t.point_id].push_back(criteria_.size());
      criteria_.push_back(std::move(t));
    }
    for (const auto& item : zone.standard().checklist()) {
      Checklist t;
      t.zone = zone.id();
      t.config = &item;
      checklist_.push_back(std::move(t));
    }
  }
  for (const auto& [key, state] : sense_states()) {
    DailyIndex& d = today_[key];
    d.day = day_;
    d.zone = key.first;
    d.sense = static_cast<v1::Sense>(key.second);
    last_sense_states_[key] = state;
  }
}

bool ComplianceEngine::applies(const google::protobuf::RepeatedPtrField<std::string>& applies_in) const {
  if (!day_part_) return false;
  if (applies_in.empty()) return *day_part_ != kClosedDayPart;
  return std::find(applies_in.begin(), applies_in.end(), *day_part_) != applies_in.end();
}

namespace {

std::optional<TimeMs> checklist_due(const v1::ChecklistItem& item, bool applicable, TimeMs applicable_since,
                                    const std::optional<TimeMs>& confirmed_at, TimeMs day_part_since) {
  if (!applicable) return std::nullopt;
  if (item.every_minutes() > 0) {
    const TimeMs base = std::max(confirmed_at.value_or(std::numeric_limits<TimeMs>::min()), applicable_since);
    return base + TimeMs{item.every_minutes()} * 60'000;
  }
  if (confirmed_at && *confirmed_at >= day_part_since) return std::nullopt;  // done for this day part
  return day_part_since + kOncePerDayPartGraceMs;
}

}  // namespace

std::optional<TimeMs> ComplianceEngine::next_deadline() const {
  std::optional<TimeMs> next;
  auto consider = [&](TimeMs d) { next = next ? std::min(*next, d) : d; };
  for (const auto& c : criteria_) {
    if (!c.applicable) continue;
    if (c.has_value && !c.no_data) consider(c.last_good + c.no_data_ms);
    if (!c.no_data && c.outside_since && !c.alarm) consider(*c.outside_since + c.tolerance_ms);
  }
  for (const auto& item : checklist_) {
    if (item.alarm) continue;
    if (auto due = checklist_due(*item.config, item.applicable, item.applicable_since, item.confirmed_at,
                                 day_part_since_)) {
      consider(*due);
    }
  }
  if (next) next = std::max(*next, now_);  // an overdue deadline (after a restore) fires at once
  return next;
}

void ComplianceEngine::fire_deadlines(ComplianceUpdate& out) {
  // Called only while time moves past now_, so ">=" here means "strictly past the deadline".
  for (auto& c : criteria_) {
    if (!c.applicable) continue;
    if (c.has_value && !c.no_data && now_ >= c.last_good + c.no_data_ms) c.no_data = true;
    if (!c.no_data && c.outside_since && !c.alarm && now_ >= *c.outside_since + c.tolerance_ms) raise(c, out);
    note_state(c, out);
  }
  for (auto& item : checklist_) {
    if (item.alarm) continue;
    auto due = checklist_due(*item.config, item.applicable, item.applicable_since, item.confirmed_at,
                             day_part_since_);
    if (due && now_ >= *due) {
      item.alarm = true;
      item.alarm_start = *due;
      ComplianceEvent e;
      e.kind = ComplianceEvent::Kind::alarm_raised;
      e.at = now_;
      e.zone = item.zone;
      e.sense = item.config->sense();
      e.item = item.config->id();
      e.checklist = true;
      e.start = *due;
      e.message = item.zone + " checklist " + item.config->id() + " (" + std::string(to_string(e.sense)) +
                  "): overdue; " +
                  (item.confirmed_at ? "last confirmed by " + item.confirmed_by : std::string("never confirmed"));
      out.events.push_back(std::move(e));
    }
    note_state(item, out);
  }
}

void ComplianceEngine::raise(Criterion& c, ComplianceUpdate& out) {
  c.alarm = true;
  const auto& r = c.config->range();
  ComplianceEvent e;
  e.kind = ComplianceEvent::Kind::alarm_raised;
  e.at = now_;
  e.zone = c.zone;
  e.sense = c.config->sense();
  e.item = c.config->id();
  e.start = c.outside_since.value_or(now_);
  e.worst_value = c.worst;
  e.message = c.point_id + " (" + std::string(to_string(e.sense)) + "): " + format_number(c.worst) +
              (c.unit.empty() ? "" : " " + c.unit) + " outside " + format_number(r.min()) + ".." +
              format_number(r.max()) + " for more than " + format_duration(c.tolerance_ms);
  out.events.push_back(std::move(e));
}

void ComplianceEngine::clear(Criterion& c, const std::string& why, ComplianceUpdate& out) {
  ComplianceEvent e;
  e.kind = ComplianceEvent::Kind::alarm_cleared;
  e.at = now_;
  e.zone = c.zone;
  e.sense = c.config->sense();
  e.item = c.config->id();
  e.start = c.outside_since.value_or(now_);
  e.end = now_;
  e.duration_ms = e.end - e.start;
  e.worst_value = c.worst;
  e.message = c.point_id + " (" + std::string(to_string(e.sense)) + "): " + why + " after " +
              format_duration(e.duration_ms) + ", worst " + format_number(c.worst) +
              (c.unit.empty() ? "" : " " + c.unit);
  out.events.push_back(std::move(e));
  c.alarm = false;
  c.outside_since.reset();
}

void ComplianceEngine::on_good_reading(Criterion& c, double value, TimeMs reading_time, ComplianceUpdate& out) {
  c.has_value = true;
  c.value = value;
  c.last_good = std::max(c.last_good, std::min(reading_time, now_));
  c.no_data = false;
  if (!c.applicable) {
    note_state(c, out);
    return;
  }
  const auto& r = c.config->range();
  if (excess(r, value) > 0) {
    if (!c.outside_since) {
      c.outside_since = now_;
      c.worst = value;
    } else if (excess(r, value) > excess(r, c.worst)) {
      c.worst = value;
    }
    // After a data gap the window may already be over: the value was outside before and after it.
    if (!c.alarm && now_ - *c.outside_since > c.tolerance_ms) raise(c, out);
  } else if (c.alarm) {
    // Out of standard ends only well inside the range, so a value hovering at the bound does not
    // raise and clear alarms over and over.
    double lo = r.min() + c.config->hysteresis();
    double hi = r.max() - c.config->hysteresis();
    if (lo > hi) lo = hi = (r.min() + r.max()) / 2;
    if (value >= lo && value <= hi) clear(c, "back in range by its hysteresis", out);
  } else {
    c.outside_since.reset();  // a drift ends as soon as the value is back in range
  }
  note_state(c, out);
}

void ComplianceEngine::note_state(Criterion& c, ComplianceUpdate& out) {
  ComplianceState s = ComplianceState::ok;
  if (!c.applicable) {
    s = ComplianceState::not_applicable;
  } else if (c.no_data) {
    s = ComplianceState::no_data;
  } else if (c.alarm) {
    s = ComplianceState::out_of_standard;
  } else if (c.outside_since) {
    s = ComplianceState::drifting;
  }
  if (s == c.state) return;
  ComplianceEvent e;
  e.kind = ComplianceEvent::Kind::state_changed;
  e.at = now_;
  e.zone = c.zone;
  e.sense = c.config->sense();
  e.item = c.config->id();
  e.from = c.state;
  e.to = s;
  if (c.has_value) e.worst_value = c.value;
  e.message = c.point_id + ": " + std::string(to_string(c.state)) + " -> " + std::string(to_string(s));
  out.events.push_back(std::move(e));
  c.state = s;
}

void ComplianceEngine::note_state(Checklist& item, ComplianceUpdate& out) {
  ComplianceState s = !item.applicable ? ComplianceState::not_applicable
                      : item.alarm     ? ComplianceState::out_of_standard
                                       : ComplianceState::ok;
  if (s == item.state) return;
  ComplianceEvent e;
  e.kind = ComplianceEvent::Kind::state_changed;
  e.at = now_;
  e.zone = item.zone;
  e.sense = item.config->sense();
  e.item = item.config->id();
  e.checklist = true;
  e.from = item.state;
  e.to = s;
  e.message = item.zone + " checklist " + item.config->id() + ": " + std::string(to_string(item.state)) + " -> " +
              std::string(to_string(s));
  out.events.push_back(std::move(e));
  item.state = s;
}

void ComplianceEngine::settle_checklist(Checklist& item, ComplianceUpdate& out) {
  auto due = checklist_due(*item.config, item.applicable, item.applicable_since, item.confirmed_at, day_part_since_);
  const bool overdue = due && now_ > *due;
  if (item.alarm && !overdue) {
    ComplianceEvent e;
    e.kind = ComplianceEvent::Kind::alarm_cleared;
    e.at = now_;
    e.zone = item.zone;
    e.sense = item.config->sense();
    e.item = item.config->id();
    e.checklist = true;
    e.start = item.alarm_start;
    e.end = now_;
    e.duration_ms = now_ - item.alarm_start;
    e.message = item.zone + " checklist " + item.config->id() + ": " +
                (item.applicable ? "no longer overdue" : "no longer applies") + " after " +
                format_duration(e.duration_ms);
    out.events.push_back(std::move(e));
    item.alarm = false;
  }
  // Deadlines are raised by fire_deadlines as time passes them; nothing becomes overdue here.
  note_state(item, out);
}

void ComplianceEngine::update_applicability(ComplianceUpdate& out, bool new_part) {
  for (auto& c : criteria_) {
    const bool a = applies(c.config->applies_in());
    if (a == c.applicable) continue;
    if (a) {
      c.applicable = true;
      c.no_data = !c.has_value || now_ - c.last_good > c.no_data_ms;
      c.outside_since.reset();
      // The tolerance window starts when the criterion starts to apply, not when the value left.
      if (!c.no_data && excess(c.config->range(), c.value) > 0) {
        c.outside_since = now_;
        c.worst = c.value;
      }
    } else {
      if (c.alarm) clear(c, "no longer applies in day part " + day_part_.value_or("(none)"), out);
      c.outside_since.reset();
      c.applicable = false;
    }
    note_state(c, out);
  }
  for (auto& item : checklist_) {
    const bool a = applies(item.config->applies_in());
    const bool changed = a != item.applicable;
    item.applicable = a;
    if (changed && a) item.applicable_since = now_;
    if (changed || new_part) settle_checklist(item, out);
  }
}

std::map<ComplianceEngine::SenseKey, ComplianceState> ComplianceEngine::sense_states() const {
  std::map<SenseKey, ComplianceState> out;
  auto merge = [&](const std::string& zone, v1::Sense sense, ComplianceState s) {
    auto [it, inserted] = out.try_emplace(SenseKey{zone, static_cast<int>(sense)}, s);
    if (!inserted) it->second = std::max(it->second, s);
  };
  for (const auto& c : criteria_) merge(c.zone, c.config->sense(), c.state);
  for (const auto& item : checklist_) merge(item.zone, item.config->sense(), item.state);
  return out;
}

void ComplianceEngine::note_senses(ComplianceUpdate& out) {
  for (const auto& [key, state] : sense_states()) {
    auto& last = last_sense_states_[key];
    if (last == state) continue;
    ComplianceEvent e;
    e.kind = ComplianceEvent::Kind::sense_changed;
    e.at = now_;
    e.zone = key.first;
    e.sense = static_cast<v1::Sense>(key.second);
    e.from = last;
    e.to = state;
    e.message = key.first + " " + std::string(to_string(e.sense)) + ": " + std::string(to_string(last)) + " -> " +
                std::string(to_string(state));
    out.events.push_back(std::move(e));
    last = state;
  }
}

void ComplianceEngine::accumulate(TimeMs from, TimeMs to) {
  if (to <= from) return;
  const TimeMs span = to - from;
  for (const auto& [key, state] : sense_states()) {
    DailyIndex& d = today_[key];
    d.day = day_;
    d.zone = key.first;
    d.sense = static_cast<v1::Sense>(key.second);
    switch (state) {
      case ComplianceState::ok:
      case ComplianceState::drifting: d.in_standard_ms += span; break;
      case ComplianceState::out_of_standard: d.out_of_standard_ms += span; break;
      case ComplianceState::no_data: d.no_data_ms += span; break;
      case ComplianceState::not_applicable: break;
    }
  }
}

void ComplianceEngine::roll_day(ComplianceUpdate& out) {
  day_ = calendar_.day_of(now_);
  for (auto& [key, d] : today_) {
    out.finished_days.push_back(d);
    d = DailyIndex{day_, key.first, static_cast<v1::Sense>(key.second), 0, 0, 0};
  }
}

ComplianceUpdate ComplianceEngine::advance_to(TimeMs t) {
  ComplianceUpdate out;
  while (true) {
    const TimeMs day_end = calendar_.next_day_start(now_);
    const auto deadline = next_deadline();
    if (deadline && *deadline < t && *deadline < day_end) {
      accumulate(now_, *deadline);
      now_ = *deadline;
      fire_deadlines(out);
      note_senses(out);
      continue;
    }
    if (day_end <= t) {
      accumulate(now_, day_end);
      now_ = day_end;
      roll_day(out);
      continue;
    }
    break;
  }
  if (t > now_) {
    accumulate(now_, t);
    now_ = t;
  }
  return out;
}

ComplianceUpdate ComplianceEngine::set_day_part(std::string venue_scene, TimeMs t) {
  ComplianceUpdate out = advance_to(t);
  const bool new_part = !day_part_ || *day_part_ != venue_scene;
  if (new_part) day_part_since_ = now_;
  day_part_ = std::move(venue_scene);
  update_applicability(out, new_part);
  note_senses(out);
  return out;
}

ComplianceUpdate ComplianceEngine::feed(std::string_view point_id, double value, v1::Quality quality, TimeMs t) {
  ComplianceUpdate out = advance_to(t);
  if (quality != v1::QUALITY_GOOD || !std::isfinite(value)) return out;
  auto it = criteria_by_point_.find(point_id);
  if (it == criteria_by_point_.end()) return out;
  for (std::size_t i : it->second) on_good_reading(criteria_[i], value, t, out);
  note_senses(out);
  return out;
}

ComplianceUpdate ComplianceEngine::feed(const v1::Reading& reading) {
  return feed(reading.point(), reading.value(), reading.quality(), reading.time_ms());
}

Result<ComplianceUpdate> ComplianceEngine::confirm(std::string_view zone, std::string_view item_id, std::string who,
                                                   TimeMs t) {
  Checklist* item = nullptr;
  std::string known;
  for (auto& c : checklist_) {
    if (c.zone != zone) continue;
    if (c.config->id() == item_id) item = &c;
    known += (known.empty() ? "" : ", ") + c.config->id();
  }
  if (!item) {
    if (!venue_->zone(zone)) return make_error("unknown zone \"" + std::string(zone) + "\"");
    return make_error("zone " + std::string(zone) + " has no checklist item \"" + std::string(item_id) +
                      "\"; its items: " + (known.empty() ? "(none)" : known));
  }
  ComplianceUpdate out = advance_to(t);
  item->confirmed_at = now_;
  item->confirmed_by = who;
  ComplianceEvent e;
  e.kind = ComplianceEvent::Kind::checklist_confirmed;
  e.at = now_;
  e.zone = item->zone;
  e.sense = item->config->sense();
  e.item = item->config->id();
  e.checklist = true;
  e.who = std::move(who);
  e.message = item->zone + " checklist " + item->config->id() + " confirmed by " + e.who;
  out.events.push_back(std::move(e));
  settle_checklist(*item, out);
  note_senses(out);
  return out;
}

ComplianceState ComplianceEngine::sense_state(std::string_view zone, v1::Sense sense) const {
  // The worst state of the zone's criteria and checklist items of this sense, as sense_states()
  // merges them, without building the whole map: views ask this for every zone and sense.
  std::optional<ComplianceState> worst;
  auto merge = [&](ComplianceState s) { worst = worst ? std::max(*worst, s) : s; };
  for (const auto& c : criteria_) {
    if (c.zone == zone && c.config->sense() == sense) merge(c.state);
  }
  for (const auto& item : checklist_) {
    if (item.zone == zone && item.config->sense() == sense) merge(item.state);
  }
  return worst.value_or(ComplianceState::not_applicable);
}

std::vector<CriterionStatus> ComplianceEngine::criteria() const { return criteria_where(std::nullopt); }

std::vector<CriterionStatus> ComplianceEngine::criteria_out_of_standard() const {
  return criteria_where(ComplianceState::out_of_standard);
}

std::vector<CriterionStatus> ComplianceEngine::criteria_where(std::optional<ComplianceState> only) const {
  std::vector<CriterionStatus> out;
  for (const auto& c : criteria_) {
    if (only && c.state != *only) continue;
    CriterionStatus s;
    s.zone = c.zone;
    s.id = c.config->id();
    s.sense = c.config->sense();
    s.point = c.point_id;
    s.state = c.state;
    if (c.has_value) s.last_value = c.value;
    s.last_good_ms = c.last_good;
    s.outside_since = c.outside_since;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<ChecklistStatus> ComplianceEngine::checklist() const { return checklist_where(std::nullopt); }

std::vector<ChecklistStatus> ComplianceEngine::checklist_out_of_standard() const {
  return checklist_where(ComplianceState::out_of_standard);
}

std::vector<ChecklistStatus> ComplianceEngine::checklist_where(std::optional<ComplianceState> only) const {
  std::vector<ChecklistStatus> out;
  for (const auto& item : checklist_) {
    if (only && item.state != *only) continue;
    ChecklistStatus s;
    s.zone = item.zone;
    s.id = item.config->id();
    s.sense = item.config->sense();
    s.state = item.state;
    s.confirmed_at = item.confirmed_at;
    s.confirmed_by = item.confirmed_by;
    s.due_at = item.alarm ? std::optional<TimeMs>(item.alarm_start)
                          : checklist_due(*item.config, item.applicable, item.applicable_since, item.confirmed_at,
                                          day_part_since_);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<DailyIndex> ComplianceEngine::today() const {
  std::vector<DailyIndex> out;
  for (const auto& [key, d] : today_) out.push_back(d);
  return out;
}

ComplianceSnapshot ComplianceEngine::snapshot() const {
  ComplianceSnapshot s;
  s.now = now_;
  s.day = day_;
  s.day_part = day_part_;
  s.day_part_since = day_part_since_;
  for (const auto& c : criteria_) {
    s.criteria.push_back({c.zone, c.config->id(), c.applicable, c.has_value, c.value, c.last_good, c.no_data,
                          c.outside_since, c.worst, c.alarm, c.state});
  }
  for (const auto& item : checklist_) {
    s.checklist.push_back({item.zone, item.config->id(), item.applicable, item.applicable_since, item.confirmed_at,
                           item.confirmed_by, item.alarm, item.alarm_start, item.state});
  }
  s.today = today();
  return s;
}

Result<std::vector<std::string>> ComplianceEngine::restore(const ComplianceSnapshot& s) {
  if (s.version > ComplianceSnapshot::kVersion) {
    return make_error("compliance state version " + std::to_string(s.version) + " is newer than this atmo (" +
                      std::to_string(ComplianceSnapshot::kVersion) + "); upgrade atmo or delete the state file");
  }
  std::vector<std::string> notes;
  now_ = s.now;
  day_ = s.day;
  day_part_ = s.day_part;
  day_part_since_ = s.day_part_since;
  for (const auto& saved : s.criteria) {
    auto it = std::find_if(criteria_.begin(), criteria_.end(),
                           [&](const Criterion& c) { return c.zone == saved.zone && c.config->id() == saved.id; });
    if (it == criteria_.end()) {
      notes.push_back("criterion " + saved.zone + "/" + saved.id + " is no longer in the standard: dropped");
      continue;
    }
    it->applicable = saved.applicable;
    it->has_value = saved.has_value;
    it->value = saved.value;
    it->last_good = saved.last_good;
    it->no_data = saved.no_data;
    it->outside_since = saved.outside_since;
    it->worst = saved.worst;
    it->alarm = saved.alarm;
    it->state = saved.state;
  }
  for (const auto& saved : s.checklist) {
    auto it = std::find_if(checklist_.begin(), checklist_.end(),
                           [&](const Checklist& c) { return c.zone == saved.zone && c.config->id() == saved.id; });
    if (it == checklist_.end()) {
      notes.push_back("checklist item " + saved.zone + "/" + saved.id + " is no longer in the standard: dropped");
      continue;
    }
    it->applicable = saved.applicable;
    it->applicable_since = saved.applicable_since;
    it->confirmed_at = saved.confirmed_at;
    it->confirmed_by = saved.confirmed_by;
    it->alarm = saved.alarm;
    it->alarm_start = saved.alarm_start;
    it->state = saved.state;
  }
  for (auto& [key, d] : today_) d = DailyIndex{day_, key.first, static_cast<v1::Sense>(key.second), 0, 0, 0};
  for (const auto& saved : s.today) {
    auto it = today_.find(SenseKey{saved.zone, static_cast<int>(saved.sense)});
    if (it == today_.end()) {
      notes.push_back("index of " + saved.zone + "/" + std::string(to_string(saved.sense)) +
                      " has no criteria any more: dropped");
      continue;
    }
    it->second = saved;
  }
  last_sense_states_ = sense_states();
  return notes;
}

}  // namespace atmo::zones
