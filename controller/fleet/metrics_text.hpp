// Prometheus text exposition format 0.0.4: metric families (HELP, TYPE, samples) rendered as the
// text a Prometheus server scrapes from /metrics. Pure: no controller, no I/O, so names, escaping
// and number formats are tested on their own (tests/fleet/metrics_text_test.cpp).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atmo::fleet {

/// What Prometheus answers a scrape with; the version names the text format.
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { gauge, counter };

struct MetricSample {
  std::vector<std::pair<std::string, std::string>> labels;  ///< name, value (any UTF-8; escaped on output)
  double value = 0;
};

struct MetricFamily {
  std::string name;  ///< full sample name, e.g. "atmo_modbus_requests_total" for a counter
  std::string help;  ///< one line for a person
  MetricType type = MetricType::gauge;
  std::vector<MetricSample> samples;

  MetricFamily& add(std::vector<std::pair<std::string, std::string>> labels, double value) {
    samples.push_back(MetricSample{std::move(labels), value});
    return *this;
  }
};

/// [a-zA-Z_:][a-zA-Z0-9_:]* (the colon is reserved for recording rules; atmo never uses it).
bool valid_metric_name(std::string_view name);
/// [a-zA-Z_][a-zA-Z0-9_]*, and not starting with "__" (reserved for Prometheus itself).
bool valid_label_name(std::string_view name);

/// A label value inside its double quotes: backslash, double quote and line feed escaped.
std::string escape_label_value(std::string_view value);
/// A HELP text: backslash and line feed escaped.
std::string escape_help(std::string_view text);
/// A sample value: integers without a fraction, others in the shortest form that reads back
/// exactly, and "NaN", "+Inf", "-Inf".
std::string format_sample_value(double value);

/// The exposition text of `families`, in the order given, each with its HELP and TYPE lines.
/// Throws std::invalid_argument for an invalid metric or label name, a repeated family or a
/// counter whose name does not end in "_total": those are programming errors, not scrape-time data.
std::string render_metrics(const std::vector<MetricFamily>& families);

}  // namespace atmo::fleet
