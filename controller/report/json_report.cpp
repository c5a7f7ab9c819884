#include <cmath>

#include <boost/json.hpp>

#include "controller/report/report_formats.hpp"

namespace atmo::report {

std::string render_json_summary(const DayReport& report, const VenueTime& time) {
  namespace json = boost::json;
  const auto opt = [](std::optional<double> v) -> json::value {
    if (!v || !std::isfinite(*v)) return nullptr;
    return *v;
  };
  json::array zones;
  for (const auto& z : report.zones) {
    json::array senses, criteria, alarms, checklist;
    for (const auto& s : z.senses) {
      senses.push_back(json::object{{"sense", s.sense},
                                    {"index_percent", opt(s.percent)},
                                    {"applicable_s", s.applicable_s},
                                    {"in_standard_s", s.in_standard_s},
                                    {"out_of_standard_s", s.out_of_standard_s},
                                    {"no_data_s", s.no_data_s}});
    }
    for (const auto& c : z.criteria) {
      criteria.push_back(json::object{{"id", c.id},
                                      {"sense", c.sense},
                                      {"point", c.point},
                                      {"unit", c.unit},
                                      {"standard", json::array{c.min, c.max}},
                                      {"applicable_s", c.applicable_s},
                                      {"out_of_range_s", c.out_of_range_s},
                                      {"no_data_s", c.no_data_s},
                                      {"alarm_s", c.alarm_s},
                                      {"alarms", c.alarms},
                                      {"reading_min", opt(c.reading_min)},
                                      {"reading_avg", opt(c.reading_avg)},
                                      {"reading_max", opt(c.reading_max)}});
    }
    for (const auto& a : z.alarms) {
      json::object o{{"subject", a.subject}, {"sense", a.sense}, {"checklist", a.checklist}};
      o["raised"] = a.raised_ms ? json::value(time.iso(*a.raised_ms)) : json::value(nullptr);
      o["cleared"] = a.cleared_ms ? json::value(time.iso(*a.cleared_ms)) : json::value(nullptr);
      o["duration_s"] = a.duration_ms ? json::value(*a.duration_ms / 1000) : json::value(nullptr);
      o["worst_value"] = opt(a.worst_value);
      alarms.push_back(std::move(o));
    }
    for (const auto& item : z.checklist) {
      json::array confirmations;
      for (const auto& c : item.confirmations) {
        confirmations.push_back(json::object{{"time", time.iso(c.time_ms)}, {"who", c.who}});
      }
      checklist.push_back(json::object{{"id", item.id}, {"confirmations", std::move(confirmations)}});
    }
    zones.push_back(json::object{{"zone", z.id},
                                 {"name", z.name},
                                 {"senses", std::move(senses)},
                                 {"criteria", std::move(criteria)},
                                 {"alarms", std::move(alarms)},
                                 {"checklist", std::move(checklist)},
                                 {"scene_changes", z.scenes.size()}});
  }
  json::array parts;
  for (const auto& p : report.day_parts) {
    parts.push_back(json::object{{"scene", p.scene}, {"from", time.iso(p.from_ms)}, {"to", time.iso(p.to_ms)}});
  }
  const json::object root{{"venue", report.venue_id},  {"date", report.date},
                          {"time_zone", report.time_zone}, {"program", report.program},
                          {"day_parts", std::move(parts)}, {"zones", std::move(zones)}};
  return json::serialize(root) + "\n";
}

}  // namespace atmo::report
