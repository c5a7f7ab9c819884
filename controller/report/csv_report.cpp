#include <cmath>
#include <cstdio>

#include "controller/report/report_formats.hpp"

namespace atmo::report {
namespace {

std::string number(std::optional<double> v, const char* format = "%.3f") {
  if (!v || !std::isfinite(*v)) return "";
  char buf[48];
  std::snprintf(buf, sizeof buf, format, *v);
  return buf;
}

}  // namespace

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string render_senses_csv(const DayReport& report) {
  std::string out = std::string(kSensesCsvHeader) + "\n";
  for (const auto& z : report.zones) {
    for (const auto& s : z.senses) {
      int alarms = 0;
      for (const auto& a : z.alarms) alarms += a.sense == s.sense ? 1 : 0;
      out += report.date + "," + csv_field(z.id) + "," + csv_field(z.name) + "," + s.sense + "," +
             number(s.percent, "%.2f") + "," + std::to_string(s.applicable_s) + "," + std::to_string(s.in_standard_s) +
             "," + std::to_string(s.out_of_standard_s) + "," + std::to_string(s.no_data_s) + "," +
             std::to_string(alarms) + "\n";
    }
  }
  return out;
}

std::string render_criteria_csv(const DayReport& report) {
  std::string out = std::string(kCriteriaCsvHeader) + "\n";
  for (const auto& z : report.zones) {
    for (const auto& c : z.criteria) {
      out += report.date + "," + csv_field(z.id) + "," + csv_field(c.id) + "," + csv_field(c.name) + "," + c.sense +
             "," + csv_field(c.point) + "," + csv_field(c.unit) + "," + number(c.min) + "," + number(c.max) + "," +
             std::to_string(c.applicable_s) + "," + std::to_string(c.out_of_range_s) + "," +
             std::to_string(c.no_data_s) + "," + std::to_string(c.alarm_s) + "," + std::to_string(c.alarms) + "," +
             number(c.reading_min) + "," + number(c.reading_avg) + "," + number(c.reading_max) + "\n";
    }
  }
  return out;
}

}  // namespace atmo::report
