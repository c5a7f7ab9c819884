#include <algorithm>

#include "controller/report/report_formats.hpp"
#include "controller/report/report_text.hpp"

namespace atmo::report {
namespace {

/// A table cell: pipes and line breaks would end the cell or the row.
std::string cell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string value(const std::optional<double>& v) { return v ? format_value(*v) : std::string("—"); }

}  // namespace

std::string render_markdown(const DayReport& r, const VenueTime& time) {
  const auto& lang = r.lang;
  std::string out = "# " + tr(lang, "Daily atmosphere report") + ": " + cell(r.venue_name) + ", " + r.date + "\n\n";
  out += "- " + tr(lang, "Time zone") + ": " + r.time_zone + "\n";
  if (!r.program.empty()) out += "- " + tr(lang, "Day program") + ": " + cell(r.program) + "\n";
  out += "- " + tr(lang, "Day parts") + ": ";
  for (std::size_t i = 0; i < r.day_parts.size(); ++i) {
    out += (i == 0 ? "" : ", ") + time.hhmm(r.day_parts[i].from_ms) + " " +
           cell(r.day_parts[i].name.empty() ? "—" : r.day_parts[i].name);
  }
  out += "\n";

  for (const auto& z : r.zones) {
    out += "\n## " + cell(z.name) + " (" + z.id + ")\n\n### " + tr(lang, "Compliance by sense") + "\n\n";
    out += "| " + tr(lang, "Sense") + " | " + tr(lang, "Index") + " | " + tr(lang, "In standard") + " | " +
           tr(lang, "Out of standard") + " | " + tr(lang, "No data") + " |\n|---|---:|---:|---:|---:|\n";
    for (const auto& s : z.senses) {
      out += "| " + cell(s.sense_name) + " | " + format_percent(s.percent) + " | " +
             (s.percent ? format_duration(s.in_standard_s) : "—") + " | " +
             (s.percent ? format_duration(s.out_of_standard_s) : "—") + " | " +
             (s.percent ? format_duration(s.no_data_s) : "—") + " |\n";
    }
    if (!z.criteria.empty()) {
      out += "\n### " + tr(lang, "Criteria") + "\n\n| " + tr(lang, "Criterion") + " | " + tr(lang, "Point") + " | " +
             tr(lang, "Standard") + " | " + tr(lang, "Out of range") + " | " + tr(lang, "No data") + " | " +
             tr(lang, "Alarm time") + " | " + tr(lang, "Min") + " | " + tr(lang, "Avg") + " | " + tr(lang, "Max") +
             " |\n|---|---|---|---:|---:|---:|---:|---:|---:|\n";
      for (const auto& c : z.criteria) {
        out += "| " + cell(c.name) + " | " + cell(c.point) + " | " + format_value(c.min) + "–" + format_value(c.max) +
               " " + cell(c.unit) + " | " + format_duration(c.out_of_range_s) + " | " + format_duration(c.no_data_s) +
               " | " + format_duration(c.alarm_s) + " | " + value(c.reading_min) + " | " + value(c.reading_avg) +
               " | " + value(c.reading_max) + " |\n";
      }
    }
    out += "\n### " + tr(lang, "Alarms") + "\n\n";
    if (z.alarms.empty()) {
      out += tr(lang, "No alarms.") + "\n";
    } else {
      out += "| " + tr(lang, "Item") + " | " + tr(lang, "Raised") + " | " + tr(lang, "Cleared") + " | " +
             tr(lang, "Duration") + " | " + tr(lang, "Worst value") + " |\n|---|---|---|---:|---:|\n";
      for (const auto& a : z.alarms) {
        const auto at = [&](const std::optional<TimeMs>& t) {
          if (!t) return std::string("—");
          return *t < r.from_ms ? time.date_hhmm(*t) : time.hhmm(*t);
        };
        out += "| " + cell(a.subject_name) + " | " + at(a.raised_ms) + " | " +
               (a.cleared_ms ? at(a.cleared_ms) : tr(lang, "still raised at the end of the day")) + " | " +
               (a.duration_ms ? format_duration(*a.duration_ms / 1000) : "—") + " | " + value(a.worst_value) + " |\n";
      }
    }
    out += "\n### " + tr(lang, "Checklist") + "\n\n";
    if (z.checklist.empty()) {
      out += tr(lang, "No checklist items.") + "\n";
    } else {
      out += "| " + tr(lang, "Item") + " | " + tr(lang, "Confirmed") + " |\n|---|---|\n";
      for (const auto& item : z.checklist) {
        std::string list;
        for (const auto& c : item.confirmations) list += (list.empty() ? "" : ", ") + time.hhmm(c.time_ms) + " " + c.who;
        out += "| " + cell(item.name) + " | " + (list.empty() ? "**" + tr(lang, "never confirmed") + "**" : cell(list)) +
               " |\n";
      }
    }
    out += "\n### " + tr(lang, "Scene changes") + "\n\n";
    if (z.scenes.empty()) {
      out += tr(lang, "No scene changes.") + "\n";
    } else {
      out += "| " + tr(lang, "Time") + " | " + tr(lang, "Scene") + " | " + tr(lang, "Who") + " |\n|---|---|---|\n";
      for (const auto& s : z.scenes) {
        out += "| " + time.hhmm(s.time_ms) + " | " + cell(s.scene_name) + " | " + cell(s.who) + " |\n";
      }
    }
  }
  return out;
}

}  // namespace atmo::report
