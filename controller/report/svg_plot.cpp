#include "controller/report/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "controller/report/report_text.hpp"

namespace atmo::report {
namespace {

constexpr TimeMs kMinuteMs = 60'000;
constexpr double kLeft = 52, kRight = 10, kTop = 18, kBottom = 22;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

const char* part_fill(const std::string& scene, std::size_t index) {
  if (scene == "closed" || scene.empty()) return "#ececec";
  if (scene == "cleaning") return "#e3ebf6";
  if (scene == "opening") return "#fbf0dc";
  if (scene == "day") return "#fffbe8";
  if (scene == "evening") return "#eee8f6";
  return index % 2 == 0 ? "#f6f6f0" : "#eef4f1";
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string criterion_svg(const CriterionSummary& c, const std::vector<DayPart>& parts, TimeMs from_ms, TimeMs to_ms,
                          const VenueTime& time, const std::string& lang, PlotSize size) {
  const double w = size.width, h = size.height;
  const double plot_w = w - kLeft - kRight, plot_h = h - kTop - kBottom;
  double lo = c.min, hi = c.max;
  if (c.reading_min) lo = std::min(lo, *c.reading_min);
  if (c.reading_max) hi = std::max(hi, *c.reading_max);
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  const double pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const double span_ms = static_cast<double>(std::max<TimeMs>(1, to_ms - from_ms));
  const auto x = [&](TimeMs t) { return kLeft + plot_w * static_cast<double>(t - from_ms) / span_ms; };
  const auto y = [&](double v) { return kTop + plot_h * (hi - v) / (hi - lo); };

  std::string s;
  s += "<svg class=\"plot\" viewBox=\"0 0 " + num(w) + " " + num(h) +
       "\" width=\"" + num(w) + "\" height=\"" + num(h) + "\" role=\"img\" aria-label=\"" + xml_escape(c.name) +
       "\" font-family=\"sans-serif\" font-size=\"10\">\n";
  // Day parts as stripes, named along the top.
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& p = parts[i];
    const double x0 = x(std::max(p.from_ms, from_ms)), x1 = x(std::min(p.to_ms, to_ms));
    if (x1 <= x0) continue;
    s += "<rect class=\"part\" x=\"" + num(x0) + "\" y=\"" + num(kTop) + "\" width=\"" + num(x1 - x0) +
         "\" height=\"" + num(plot_h) + "\" fill=\"" + part_fill(p.scene, i) + "\"><title>" + xml_escape(p.name) +
         " " + time.hhmm(p.from_ms) + "–" + time.hhmm(p.to_ms) + "</title></rect>\n";
    if (x1 - x0 > 34) {
      s += "<text x=\"" + num(x0 + 2) + "\" y=\"" + num(kTop - 5) + "\" fill=\"#666\">" + xml_escape(p.name) +
           "</text>\n";
    }
  }
  // The standard's range.
  const double band_top = y(c.max), band_bottom = y(c.min);
  s += "<rect class=\"band\" x=\"" + num(kLeft) + "\" y=\"" + num(band_top) + "\" width=\"" + num(plot_w) +
       "\" height=\"" + num(band_bottom - band_top) +
       "\" fill=\"#2e9d5a\" fill-opacity=\"0.16\"><title>" + xml_escape(tr(lang, "standard band")) + " " +
       format_value(c.min) + "–" + format_value(c.max) + " " + xml_escape(c.unit) + "</title></rect>\n";
  for (double v : {c.min, c.max}) {
    s += "<line x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft + plot_w) + "\" y1=\"" + num(y(v)) + "\" y2=\"" +
         num(y(v)) + "\" stroke=\"#2e9d5a\" stroke-width=\"0.8\" stroke-dasharray=\"4 3\"/>\n";
    s += "<text x=\"" + num(kLeft - 4) + "\" y=\"" + num(y(v) + 3) + "\" text-anchor=\"end\" fill=\"#2e7d4a\">" +
         format_value(v) + "</text>\n";
  }
  // Readings: one band and one line per run of consecutive minutes, so a gap shows as a gap.
  std::size_t i = 0;
  const auto& m = c.minutes;
  while (i < m.size()) {
    std::size_t j = i + 1;
    while (j < m.size() && m[j].time_ms - m[j - 1].time_ms <= kMinuteMs) ++j;
    std::string band, line;
    for (std::size_t k = i; k < j; ++k) {
      const double px = x(m[k].time_ms + kMinuteMs / 2);
      band += num(px) + "," + num(y(m[k].max)) + " ";
      line += (k == i ? "" : " ") + num(px) + "," + num(y(m[k].avg));
    }
    for (std::size_t k = j; k-- > i;) band += num(x(m[k].time_ms + kMinuteMs / 2)) + "," + num(y(m[k].min)) + " ";
    band.pop_back();
    s += "<polygon class=\"minmax\" points=\"" + band + "\" fill=\"#3a6fb0\" fill-opacity=\"0.22\" stroke=\"none\"/>\n";
    s += "<polyline class=\"avg\" points=\"" + line + "\" fill=\"none\" stroke=\"#1f4f8f\" stroke-width=\"1.3\"/>\n";
    i = j;
  }
  if (m.empty()) {
    s += "<text x=\"" + num(kLeft + plot_w / 2) + "\" y=\"" + num(kTop + plot_h / 2) +
         "\" text-anchor=\"middle\" fill=\"#999\">" + xml_escape(tr(lang, "no readings")) + "</text>\n";
  }
  // Frame and hour ticks every 3 hours of the day.
  s += "<rect x=\"" + num(kLeft) + "\" y=\"" + num(kTop) + "\" width=\"" + num(plot_w) + "\" height=\"" +
       num(plot_h) + "\" fill=\"none\" stroke=\"#999\" stroke-width=\"0.6\"/>\n";
  for (TimeMs t = from_ms; t <= to_ms; t += 3 * 3'600'000) {
    const double px = x(t);
    s += "<line x1=\"" + num(px) + "\" x2=\"" + num(px) + "\" y1=\"" + num(kTop + plot_h) + "\" y2=\"" +
         num(kTop + plot_h + 3) + "\" stroke=\"#999\"/>\n";
    const char* anchor = t == from_ms ? "start" : t + 3 * 3'600'000 > to_ms ? "end" : "middle";
    s += "<text x=\"" + num(px) + "\" y=\"" + num(h - 8) + "\" text-anchor=\"" + anchor + "\" fill=\"#555\">" +
         time.hhmm(t) + "</text>\n";
  }
  s += "</svg>\n";
  return s;
}

}  // namespace atmo::report
