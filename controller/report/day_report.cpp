#include "controller/report/day_report.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <boost/json.hpp>

#include "controller/report/report_text.hpp"
#include "zones/compliance.hpp"
#include "zones/compliance_snapshot.hpp"

namespace atmo::report {
namespace {

namespace json = boost::json;

constexpr TimeMs kMinuteMs = 60'000;
constexpr std::size_t kMaxEvents = 200'000;  ///< a day's events; far above what a venue writes
constexpr TimeMs kCarryOverLookBackMs = 7 * 86'400'000LL;

ReportError failure(ReportFailure kind, std::string message) { return ReportError{kind, std::move(message)}; }

std::string sense_id(v1::Sense sense) { return std::string(zones::to_string(sense)); }

/// The sense written in a daily index row ("SENSE_SIGHT") as the report names it ("sight").
std::string sense_of_row(const std::string& row_sense) {
  v1::Sense s = v1::SENSE_UNSPECIFIED;
  if (v1::Sense_Parse(row_sense, &s)) return sense_id(s);
  return row_sense;
}

int sense_order(const std::string& sense) {
  static const char* order[] = {"sight", "hearing", "smell", "touch", "taste"};
  for (int i = 0; i < 5; ++i) {
    if (sense == order[i]) return i;
  }
  return 5;
}

json::object parse_details(const std::string& text) {
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec || !value.is_object()) return {};
  return value.as_object();
}

std::optional<std::int64_t> int_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->as_double());
  return std::nullopt;
}

std::optional<double> number_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_double()) return v->as_double();
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  if (v->is_uint64()) return static_cast<double>(v->as_uint64());
  return std::nullopt;
}

std::string string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool applies_in(const google::protobuf::RepeatedPtrField<std::string>& applies, const std::string& scene) {
  if (scene.empty()) return false;  // before the schedule ever ran: no day part, nothing applies
  if (applies.empty()) return scene != zones::kClosedDayPart;
  return std::find(applies.begin(), applies.end(), scene) != applies.end();
}

std::vector<DayPart> day_parts(const zones::Venue& venue, const zones::Schedule& schedule, zones::LocalDate date,
                               TimeMs from, TimeMs to, const std::string& lang) {
  std::vector<DayPart> parts;
  const auto add = [&](TimeMs at, const std::string& scene) {
    if (!parts.empty() && parts.back().from_ms == at) parts.pop_back();
    if (!parts.empty() && parts.back().scene == scene) return;
    const auto* vs = venue.venue_scene(scene);
    parts.push_back(DayPart{at, to, scene, vs != nullptr ? zones::Venue::display_name(vs->name(), lang, scene) : scene});
  };
  const auto carried = schedule.active_at(from);
  add(from, carried ? carried->venue_scene : std::string());
  for (const auto& change : schedule.changes_on(date)) {
    if (change.at < from || change.at >= to) continue;
    add(change.at, change.venue_scene);
  }
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) parts[i].to_ms = parts[i + 1].from_ms;
  return parts;
}

void summarize_minutes(CriterionSummary& c) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0.0;
  std::int64_t count = 0;
  for (const auto& b : c.minutes) {
    lo = std::min(lo, b.min);
    hi = std::max(hi, b.max);
    sum += b.avg * static_cast<double>(b.count);
    count += b.count;
  }
  if (count > 0) {
    c.reading_min = lo;
    c.reading_max = hi;
    c.reading_avg = sum / static_cast<double>(count);
  }
  // Minute by minute over the spans the criterion applies in.
  for (const auto& [from, to] : c.applies) {
    for (TimeMs t = (from + kMinuteMs - 1) / kMinuteMs * kMinuteMs; t < to; t += kMinuteMs) {
      const auto seconds = (std::min(to, t + kMinuteMs) - t) / 1000;
      c.applicable_s += seconds;
      auto it = std::lower_bound(c.minutes.begin(), c.minutes.end(), t,
                                 [](const telemetry::Bucket& b, TimeMs v) { return b.time_ms < v; });
      if (it == c.minutes.end() || it->time_ms != t) {
        c.no_data_s += seconds;
      } else if (it->avg < c.min || it->avg > c.max) {
        c.out_of_range_s += seconds;
      }
    }
  }
}

}  // namespace

std::variant<DayReport, ReportError> build_day_report(const zones::Venue& venue, const zones::Schedule& schedule,
                                                      const VenueTime& time, telemetry::TelemetryReader& reader,
                                                      const ReportRequest& request) {
  const auto date = zones::LocalDate::parse(request.date);
  if (!date) return failure(ReportFailure::usage, "--date: " + date.error().message);
  if (request.zone && venue.zone(*request.zone) == nullptr) {
    std::string known;
    for (const auto& z : venue.zones()) known += (known.empty() ? "" : ", ") + z.id();
    return failure(ReportFailure::usage, "unknown zone '" + *request.zone + "'; the venue's zones are: " + known);
  }
  const auto& lang = request.lang;
  const auto db_error = [&](const Error& e) {
    return failure(ReportFailure::database,
                   "cannot read the telemetry database " + request.database + ": " + e.message);
  };

  DayReport report;
  report.venue_id = venue.id();
  report.venue_name = zones::Venue::display_name(venue.config().name(), lang, venue.id());
  report.date = date->to_string();
  report.lang = lang;
  report.time_zone = time.time_zone();
  report.database = request.database;
  report.from_ms = schedule.start_of_day(*date);
  report.to_ms = schedule.next_day_start(report.from_ms);
  const auto choice = schedule.program_on(*date);
  if (choice.program != nullptr) {
    report.program = zones::Venue::display_name(choice.program->name(), lang, choice.program->id()) + " (" +
                     choice.reason + ")";
  }
  report.day_parts = day_parts(venue, schedule, *date, report.from_ms, report.to_ms, lang);

  auto rows = reader.daily_index(report.date, report.date, request.zone);
  if (!rows) return db_error(rows.error());
  telemetry::EventFilter filter;
  filter.from_ms = report.from_ms;
  filter.to_ms = report.to_ms;
  filter.kinds = {"alarm.raised", "alarm.cleared", "checklist.confirmed", "scene.applied"};
  filter.zone = request.zone;
  filter.limit = kMaxEvents;
  auto events = reader.events(filter);
  if (!events) return db_error(events.error());

  // Alarms raised in the week before and not cleared by midnight are still raised this day.
  telemetry::EventFilter before = filter;
  before.from_ms = report.from_ms - kCarryOverLookBackMs;
  before.to_ms = report.from_ms;
  before.kinds = {"alarm.raised", "alarm.cleared"};
  auto earlier = reader.events(before);
  if (!earlier) return db_error(earlier.error());

  bool any_data = !rows->empty() || !events->empty();
  for (const auto& z : venue.zones()) {
    if (request.zone && z.id() != *request.zone) continue;
    ZoneReport zone;
    zone.id = z.id();
    zone.name = zones::Venue::display_name(z.name(), lang, z.id());

    // Alarms first: each criterion's alarm time is taken from them.
    std::map<std::string, std::string> subject_names;
    for (const auto& c : z.standard().criteria()) subject_names[c.id()] = zones::Venue::display_name(c.name(), lang, c.id());
    for (const auto& item : z.standard().checklist()) {
      subject_names[item.id()] = zones::Venue::display_name(item.name(), lang, item.id());
    }
    std::vector<const telemetry::Event*> alarm_events;
    for (const auto& e : *earlier) {
      if (e.zone != zone.id) continue;
      const auto start = int_field(parse_details(e.details_json), "start_ms");
      if (e.kind == "alarm.raised") {
        alarm_events.push_back(&e);
        continue;
      }
      // A clear ends the open raise of the same subject and departure.
      std::erase_if(alarm_events, [&](const telemetry::Event* r) {
        return r->subject == e.subject && (!start || int_field(parse_details(r->details_json), "start_ms") == start);
      });
    }
    for (const auto& e : *events) alarm_events.push_back(&e);
    for (const auto* ep : alarm_events) {
      const auto& e = *ep;
      if (e.zone != zone.id) continue;
      if (e.kind == "scene.applied") {
        const auto* scene = venue.zone_scene(zone.id, e.subject);
        zone.scenes.push_back(SceneChange{e.time_ms, e.subject,
                                          scene != nullptr ? zones::Venue::display_name(scene->name(), lang, e.subject)
                                                           : e.subject,
                                          e.who, e.message});
        continue;
      }
      if (e.kind != "alarm.raised" && e.kind != "alarm.cleared") continue;
      const auto details = parse_details(e.details_json);
      const auto start = int_field(details, "start_ms");
      const bool raised = e.kind == "alarm.raised";
      AlarmEntry* entry = nullptr;
      if (!raised) {
        // The raise of this alarm: same subject, same start, not cleared yet.
        for (auto& a : zone.alarms) {
          if (a.subject == e.subject && !a.cleared_ms && (!start || !a.started_ms || *a.started_ms == *start)) {
            entry = &a;
            break;
          }
        }
      }
      if (entry == nullptr) {
        AlarmEntry a;
        a.subject = e.subject;
        a.subject_name = subject_names.count(e.subject) != 0 ? subject_names[e.subject] : e.subject;
        a.sense = string_field(details, "sense");
        if (const auto* c = details.if_contains("checklist"); c != nullptr && c->is_bool()) a.checklist = c->as_bool();
        a.raised_ms = raised ? std::optional<TimeMs>(e.time_ms) : start;
        a.started_ms = start;
        zone.alarms.push_back(std::move(a));
        entry = &zone.alarms.back();
      }
      if (auto worst = number_field(details, "worst_value")) entry->worst_value = worst;
      if (!raised) {
        entry->cleared_ms = e.time_ms;
        if (auto end = int_field(details, "end_ms")) entry->cleared_ms = *end;
        entry->duration_ms = int_field(details, "duration_ms");
        if (!entry->duration_ms && entry->raised_ms) entry->duration_ms = *entry->cleared_ms - *entry->raised_ms;
      }
      entry->message = e.message;
    }

    // Compliance per sense: the senses the standard checks, plus any the index holds.
    std::vector<std::string> senses;
    for (const auto& c : z.standard().criteria()) senses.push_back(sense_id(c.sense()));
    for (const auto& item : z.standard().checklist()) senses.push_back(sense_id(item.sense()));
    for (const auto& r : *rows) {
      if (r.zone == zone.id) senses.push_back(sense_of_row(r.sense));
    }
    std::sort(senses.begin(), senses.end(),
              [](const auto& a, const auto& b) { return std::pair(sense_order(a), a) < std::pair(sense_order(b), b); });
    senses.erase(std::unique(senses.begin(), senses.end()), senses.end());
    for (const auto& s : senses) {
      SenseSummary summary;
      summary.sense = s;
      summary.sense_name = sense_label(lang, s);
      for (const auto& r : *rows) {
        if (r.zone != zone.id || sense_of_row(r.sense) != s) continue;
        if (std::isfinite(r.percent)) summary.percent = r.percent;
        summary.applicable_s = r.seconds_applicable;
        summary.in_standard_s = r.seconds_in_standard;
        summary.out_of_standard_s = std::max<std::int64_t>(0, r.seconds_applicable - r.seconds_in_standard);
        summary.no_data_s = r.seconds_no_data;
      }
      zone.senses.push_back(std::move(summary));
    }

    for (const auto& c : z.standard().criteria()) {
      CriterionSummary summary;
      summary.id = c.id();
      summary.name = subject_names[c.id()];
      summary.sense = sense_id(c.sense());
      summary.point = zone.id + "." + c.point();
      if (const auto* p = venue.point(summary.point)) summary.unit = p->map->unit();
      summary.min = c.range().min();
      summary.max = c.range().max();
      for (const auto& part : report.day_parts) {
        if (!applies_in(c.applies_in(), part.scene)) continue;
        if (!summary.applies.empty() && summary.applies.back().second == part.from_ms) {
          summary.applies.back().second = part.to_ms;
        } else {
          summary.applies.emplace_back(part.from_ms, part.to_ms);
        }
      }
      auto series = reader.query({summary.point}, report.from_ms, report.to_ms, kMinuteMs);
      if (!series) return db_error(series.error());
      if (!series->empty()) summary.minutes = std::move(series->front().buckets);
      any_data = any_data || !summary.minutes.empty();
      summarize_minutes(summary);
      for (const auto& a : zone.alarms) {
        if (a.checklist || a.subject != c.id()) continue;
        ++summary.alarms;
        const TimeMs start = std::max(report.from_ms, a.raised_ms.value_or(report.from_ms));
        const TimeMs end = std::min(report.to_ms, a.cleared_ms.value_or(report.to_ms));
        summary.alarm_s += std::max<TimeMs>(0, end - start) / 1000;
      }
      zone.criteria.push_back(std::move(summary));
    }

    for (const auto& item : z.standard().checklist()) {
      ChecklistSummary summary;
      summary.id = item.id();
      summary.name = subject_names[item.id()];
      summary.sense = sense_id(item.sense());
      summary.every_minutes = item.every_minutes();
      for (const auto& e : *events) {
        if (e.zone == zone.id && e.kind == "checklist.confirmed" && e.subject == item.id()) {
          summary.confirmations.push_back(Confirmation{e.time_ms, e.who});
        }
      }
      zone.checklist.push_back(std::move(summary));
    }
    report.zones.push_back(std::move(zone));
  }

  if (!any_data) {
    return failure(ReportFailure::no_data, "no readings on " + report.date + " in " + request.database +
                                               (request.zone ? " for zone " + *request.zone : std::string()) +
                                               ": was atmo running that day?");
  }
  return report;
}

}  // namespace atmo::report
