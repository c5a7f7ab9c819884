#include <algorithm>

#include "controller/report/report_formats.hpp"
#include "controller/report/report_text.hpp"
#include "controller/report/svg_plot.hpp"

namespace atmo::report {
namespace {

constexpr const char* kStyle = R"css(
:root { color-scheme: light; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #222; margin: 24px auto;
       max-width: 820px; font-size: 13px; line-height: 1.4; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 6px; border-bottom: 2px solid #2e9d5a; padding-bottom: 3px; }
h3 { font-size: 14px; margin: 16px 0 4px; }
.meta { color: #555; margin: 0 0 12px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f3f5f4; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.good { background: #e3f4e8; } .warn { background: #fdf2d6; } .bad { background: #f9dede; }
.muted { color: #888; }
.missing { color: #b3261e; font-weight: 600; }
figure { margin: 8px 0 14px; }
figcaption { font-weight: 600; margin-bottom: 2px; }
figcaption span { font-weight: normal; color: #555; }
svg.plot { max-width: 100%; height: auto; display: block; }
.legend { color: #555; font-size: 11px; }
.legend i { display: inline-block; width: 18px; height: 9px; margin: 0 4px 0 10px; vertical-align: middle; }
@page { size: A4; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  section.zone { break-before: page; page-break-before: always; }
  figure, table { break-inside: avoid; page-break-inside: avoid; }
  .good, .warn, .bad, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)css";

std::string esc(const std::string& s) { return xml_escape(s); }

std::string index_class(const std::optional<double>& percent) {
  if (!percent) return "muted";
  if (*percent >= 95.0) return "good";
  if (*percent >= 80.0) return "warn";
  return "bad";
}

std::string when(const std::optional<TimeMs>& t, const DayReport& r, const VenueTime& time) {
  if (!t) return "—";
  if (*t < r.from_ms) return time.date_hhmm(*t) + " (" + tr(r.lang, "before this day") + ")";
  return time.hhmm(*t);
}

void senses_table(std::string& out, const ZoneReport& z, const std::string& lang) {
  out += "<table class=\"senses\"><tr><th>" + tr(lang, "Sense") + "</th><th class=\"num\">" + tr(lang, "Index") +
         "</th><th class=\"num\">" + tr(lang, "In standard") + "</th><th class=\"num\">" +
         tr(lang, "Out of standard") + "</th><th class=\"num\">" + tr(lang, "No data") + "</th></tr>\n";
  for (const auto& s : z.senses) {
    out += "<tr><td>" + esc(s.sense_name) + "</td><td class=\"num " + index_class(s.percent) + "\">" +
           format_percent(s.percent) + "</td>";
    if (s.percent) {
      out += "<td class=\"num\">" + format_duration(s.in_standard_s) + "</td><td class=\"num\">" +
             format_duration(s.out_of_standard_s) + "</td><td class=\"num\">" + format_duration(s.no_data_s) +
             "</td></tr>\n";
    } else {
      out += "<td colspan=\"3\" class=\"muted\">" + tr(lang, "no index stored for this day") + "</td></tr>\n";
    }
  }
  out += "</table>\n";
}

void criteria_table(std::string& out, const ZoneReport& z, const std::string& lang) {
  out += "<table class=\"criteria\"><tr><th>" + tr(lang, "Criterion") + "</th><th>" + tr(lang, "Standard") +
         "</th><th class=\"num\">" + tr(lang, "Out of range") + "</th><th class=\"num\">" + tr(lang, "No data") +
         "</th><th class=\"num\">" + tr(lang, "Alarm time") + "</th><th class=\"num\">" + tr(lang, "Min") +
         "</th><th class=\"num\">" + tr(lang, "Avg") + "</th><th class=\"num\">" + tr(lang, "Max") + "</th></tr>\n";
  const auto value = [](const std::optional<double>& v) { return v ? format_value(*v) : std::string("—"); };
  for (const auto& c : z.criteria) {
    out += "<tr><td>" + esc(c.name) + " <span class=\"muted\">(" + esc(sense_label(lang, c.sense)) + ")</span></td><td>" +
           format_value(c.min) + "–" + format_value(c.max) + " " + esc(c.unit) + "</td><td class=\"num" +
           (c.out_of_range_s > 0 ? " bad" : "") + "\">" + format_duration(c.out_of_range_s) +
           "</td><td class=\"num\">" + format_duration(c.no_data_s) + "</td><td class=\"num\">" +
           format_duration(c.alarm_s) + "</td><td class=\"num\">" + value(c.reading_min) + "</td><td class=\"num\">" +
           value(c.reading_avg) + "</td><td class=\"num\">" + value(c.reading_max) + "</td></tr>\n";
  }
  out += "</table>\n";
}

void alarms_table(std::string& out, const ZoneReport& z, const DayReport& r, const VenueTime& time) {
  const auto& lang = r.lang;
  if (z.alarms.empty()) {
    out += "<p class=\"muted\">" + tr(lang, "No alarms.") + "</p>\n";
    return;
  }
  out += "<table class=\"alarms\"><tr><th>" + tr(lang, "Item") + "</th><th>" + tr(lang, "Raised") + "</th><th>" +
         tr(lang, "Cleared") + "</th><th class=\"num\">" + tr(lang, "Duration") + "</th><th class=\"num\">" +
         tr(lang, "Worst value") + "</th></tr>\n";
  for (const auto& a : z.alarms) {
    std::string cleared = a.cleared_ms ? when(a.cleared_ms, r, time)
                                       : "<span class=\"missing\">" + tr(lang, "still raised at the end of the day") + "</span>";
    const auto duration = a.duration_ms ? format_duration(*a.duration_ms / 1000)
                          : a.raised_ms ? format_duration((r.to_ms - std::max(*a.raised_ms, r.from_ms)) / 1000) + "+"
                                        : std::string("—");
    out += "<tr><td>" + esc(a.subject_name) + " <span class=\"muted\">(" + esc(sense_label(lang, a.sense)) +
           ")</span></td><td>" + when(a.raised_ms, r, time) + "</td><td>" + cleared + "</td><td class=\"num\">" +
           duration + "</td><td class=\"num\">" + (a.worst_value ? format_value(*a.worst_value) : "—") + "</td></tr>\n";
  }
  out += "</table>\n";
}

void checklist_table(std::string& out, const ZoneReport& z, const DayReport& r, const VenueTime& time) {
  const auto& lang = r.lang;
  if (z.checklist.empty()) {
    out += "<p class=\"muted\">" + tr(lang, "No checklist items.") + "</p>\n";
    return;
  }
  out += "<table class=\"checklist\"><tr><th>" + tr(lang, "Item") + "</th><th>" + tr(lang, "Confirmed") +
         "</th></tr>\n";
  for (const auto& item : z.checklist) {
    const std::string every = item.every_minutes > 0
                                  ? tr(lang, "every") + " " + std::to_string(item.every_minutes) + " " + tr(lang, "min")
                                  : tr(lang, "once per day part");
    out += "<tr><td>" + esc(item.name) + " <span class=\"muted\">(" + every + ")</span></td><td>";
    if (item.confirmations.empty()) {
      out += "<span class=\"missing\">" + tr(lang, "never confirmed") + "</span>";
    } else {
      std::string list;
      for (const auto& c : item.confirmations) {
        list += (list.empty() ? "" : ", ") + time.hhmm(c.time_ms) + " " + esc(c.who);
      }
      out += list;
    }
    out += "</td></tr>\n";
  }
  out += "</table>\n";
}

void scenes_table(std::string& out, const ZoneReport& z, const DayReport& r, const VenueTime& time) {
  const auto& lang = r.lang;
  if (z.scenes.empty()) {
    out += "<p class=\"muted\">" + tr(lang, "No scene changes.") + "</p>\n";
    return;
  }
  out += "<table class=\"scenes\"><tr><th>" + tr(lang, "Time") + "</th><th>" + tr(lang, "Scene") + "</th><th>" +
         tr(lang, "Who") + "</th></tr>\n";
  for (const auto& s : z.scenes) {
    out += "<tr><td>" + time.hhmm(s.time_ms) + "</td><td>" + esc(s.scene_name) + "</td><td>" + esc(s.who) +
           "</td></tr>\n";
  }
  out += "</table>\n";
}

}  // namespace

std::string render_html(const DayReport& r, const VenueTime& time) {
  const auto& lang = r.lang;
  const std::string title = tr(lang, "Daily atmosphere report") + " — " + r.venue_name + " — " + r.date;
  std::string out;
  out.reserve(256 * 1024);
  out += "<!DOCTYPE html>\n<html lang=\"" + esc(lang) + "\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + esc(title) + "</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  out += "<header>\n<h1>" + esc(tr(lang, "Daily atmosphere report")) + "</h1>\n<p class=\"meta\">" +
         tr(lang, "Venue") + ": <b>" + esc(r.venue_name) + "</b> · " + tr(lang, "Date") + ": <b>" + esc(r.date) +
         "</b> · " + tr(lang, "Time zone") + ": " + esc(r.time_zone);
  if (!r.program.empty()) out += " · " + tr(lang, "Day program") + ": " + esc(r.program);
  out += "</p>\n<p class=\"meta\">" + tr(lang, "Day parts") + ": ";
  for (std::size_t i = 0; i < r.day_parts.size(); ++i) {
    const auto& p = r.day_parts[i];
    out += (i == 0 ? "" : " · ") + time.hhmm(p.from_ms) + " " + esc(p.name.empty() ? "—" : p.name);
  }
  out += "</p>\n</header>\n";

  // One line per zone: the index of each sense, so the day reads at a glance.
  out += "<section class=\"overview\">\n<h2>" + tr(lang, "Compliance by sense") + "</h2>\n<table><tr><th>" +
         tr(lang, "Zone") + "</th>";
  static const char* kSenses[] = {"sight", "hearing", "smell", "touch", "taste"};
  for (const char* s : kSenses) out += "<th class=\"num\">" + esc(sense_label(lang, s)) + "</th>";
  out += "<th class=\"num\">" + tr(lang, "Alarms") + "</th></tr>\n";
  for (const auto& z : r.zones) {
    out += "<tr><td><a href=\"#zone-" + esc(z.id) + "\">" + esc(z.name) + "</a></td>";
    for (const char* s : kSenses) {
      const auto it = std::find_if(z.senses.begin(), z.senses.end(), [&](const auto& x) { return x.sense == s; });
      if (it == z.senses.end()) {
        out += "<td class=\"num muted\"></td>";
      } else {
        out += "<td class=\"num " + index_class(it->percent) + "\">" + format_percent(it->percent) + "</td>";
      }
    }
    out += "<td class=\"num\">" + std::to_string(z.alarms.size()) + "</td></tr>\n";
  }
  out += "</table>\n</section>\n";

  for (const auto& z : r.zones) {
    out += "<section class=\"zone\" id=\"zone-" + esc(z.id) + "\">\n<h2>" + esc(z.name) + " <span class=\"muted\">(" +
           esc(z.id) + ")</span></h2>\n";
    out += "<h3>" + tr(lang, "Compliance by sense") + "</h3>\n";
    senses_table(out, z, lang);
    if (!z.criteria.empty()) {
      out += "<h3>" + tr(lang, "Criteria") + "</h3>\n";
      criteria_table(out, z, lang);
      out += "<h3>" + tr(lang, "Readings against the standard") + "</h3>\n<p class=\"legend\"><i style=\"background:"
             "#1f4f8f;height:2px\"></i>" + tr(lang, "per-minute average") +
             "<i style=\"background:#3a6fb0;opacity:.3\"></i>" + tr(lang, "min–max") +
             "<i style=\"background:#2e9d5a;opacity:.25\"></i>" + tr(lang, "standard band") + "</p>\n";
      for (const auto& c : z.criteria) {
        out += "<figure class=\"criterion\" id=\"plot-" + esc(z.id) + "-" + esc(c.id) + "\">\n<figcaption>" +
               esc(c.name) + " <span>" + esc(c.point) + ", " + format_value(c.min) + "–" + format_value(c.max) + " " +
               esc(c.unit) + "</span></figcaption>\n";
        out += criterion_svg(c, r.day_parts, r.from_ms, r.to_ms, time, lang);
        out += "</figure>\n";
      }
    }
    out += "<h3>" + tr(lang, "Alarms") + "</h3>\n";
    alarms_table(out, z, r, time);
    out += "<h3>" + tr(lang, "Checklist") + "</h3>\n";
    checklist_table(out, z, r, time);
    out += "<h3>" + tr(lang, "Scene changes") + "</h3>\n";
    scenes_table(out, z, r, time);
    out += "</section>\n";
  }
  out += "<footer class=\"meta\"><p>" + tr(lang, "Generated from") + " " + esc(r.database) +
         " · atmo report</p></footer>\n</body>\n</html>\n";
  return out;
}

}  // namespace atmo::report
