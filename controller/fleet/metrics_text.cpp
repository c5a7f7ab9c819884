#include "controller/fleet/metrics_text.hpp"

#include <charconv>
#include <cmath>
#include <set>
#include <stdexcept>

namespace atmo::fleet {

namespace {

bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

}  // namespace

bool valid_metric_name(std::string_view name) {
  if (name.empty() || !(name_start(name[0]) || name[0] == ':')) return false;
  for (char c : name) {
    if (!name_char(c) && c != ':') return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || !name_start(name[0]) || name.starts_with("__")) return false;
  for (char c : name) {
    if (!name_char(c)) return false;
  }
  return true;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_sample_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Whole numbers up to 2^53 print as integers: counters then read as counts, not 1.2e+04.
  if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {
    return std::to_string(static_cast<long long>(value));
  }
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);  // shortest exact form
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

std::string render_metrics(const std::vector<MetricFamily>& families) {
  std::string out;
  std::set<std::string> seen;
  for (const auto& f : families) {
    if (!valid_metric_name(f.name)) throw std::invalid_argument("invalid metric name '" + f.name + "'");
    if (!seen.insert(f.name).second) throw std::invalid_argument("metric family '" + f.name + "' appears twice");
    if (f.type == MetricType::counter && !f.name.ends_with("_total")) {
      throw std::invalid_argument("counter '" + f.name + "' must end in _total");
    }
    out += "# HELP " + f.name + " " + escape_help(f.help) + "\n";
    out += "# TYPE " + f.name + (f.type == MetricType::counter ? " counter\n" : " gauge\n");
    for (const auto& s : f.samples) {
      out += f.name;
      if (!s.labels.empty()) {
        out += '{';
        bool first = true;
        std::set<std::string_view> names;
        for (const auto& [name, value] : s.labels) {
          if (!valid_label_name(name)) throw std::invalid_argument("invalid label name '" + name + "' on " + f.name);
          if (!names.insert(name).second) throw std::invalid_argument("label '" + name + "' repeated on " + f.name);
          if (!first) out += ',';
          first = false;
          out += name + "=\"" + escape_label_value(value) + '"';
        }
        out += '}';
      }
      out += ' ' + format_sample_value(s.value) + '\n';
    }
  }
  return out;
}

}  // namespace atmo::fleet
