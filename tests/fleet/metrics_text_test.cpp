// The Prometheus text format: names, escaping, number formats and the exact shape of a family.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "controller/fleet/metrics_text.hpp"

using namespace atmo::fleet;

TEST_CASE("metric and label names follow Prometheus' grammar", "[fleet][metrics]") {
  CHECK(valid_metric_name("atmo_reading"));
  CHECK(valid_metric_name("atmo:recorded_rule"));
  CHECK(valid_metric_name("_x1"));
  CHECK_FALSE(valid_metric_name(""));
  CHECK_FALSE(valid_metric_name("1atmo"));
  CHECK_FALSE(valid_metric_name("atmo-reading"));
  CHECK_FALSE(valid_metric_name("atmo reading"));
  CHECK_FALSE(valid_metric_name("atmo.reading"));

  CHECK(valid_label_name("zone"));
  CHECK(valid_label_name("_private"));
  CHECK_FALSE(valid_label_name("__name__"));  // reserved for Prometheus
  CHECK_FALSE(valid_label_name("zone:id"));   // colons are for metric names only
  CHECK_FALSE(valid_label_name("9zone"));
  CHECK_FALSE(valid_label_name(""));
}

TEST_CASE("label values and help texts are escaped as the text format demands", "[fleet][metrics]") {
  CHECK(escape_label_value(R"(plain)") == "plain");
  CHECK(escape_label_value("back\\slash") == "back\\\\slash");
  CHECK(escape_label_value("say \"hi\"") == "say \\\"hi\\\"");
  CHECK(escape_label_value("two\nlines") == "two\\nlines");
  CHECK(escape_label_value("Спа «Аврора» °C") == "Спа «Аврора» °C");  // UTF-8 passes untouched
  // HELP escapes backslash and newline, but a double quote stays as it is.
  CHECK(escape_help("a \"b\" \\ c\nd") == "a \"b\" \\\\ c\\nd");
}

TEST_CASE("sample values print as integers, shortest exact decimals and the special values", "[fleet][metrics]") {
  CHECK(format_sample_value(0) == "0");
  CHECK(format_sample_value(42) == "42");
  CHECK(format_sample_value(-3) == "-3");
  CHECK(format_sample_value(12345678901.0) == "12345678901");
  CHECK(format_sample_value(0.5) == "0.5");
  CHECK(format_sample_value(21.7) == "21.7");
  CHECK(format_sample_value(0.1) == "0.1");
  CHECK(format_sample_value(1e20) == "1e+20");
  CHECK(format_sample_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  CHECK(format_sample_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_sample_value(-std::numeric_limits<double>::infinity()) == "-Inf");
}

TEST_CASE("families render with HELP and TYPE lines before their samples", "[fleet][metrics]") {
  std::vector<MetricFamily> families;
  families.push_back(MetricFamily{"atmo_reading", "Latest value\nof a point", MetricType::gauge, {}}
                         .add({{"zone", "lounge"}, {"point", "temperature"}, {"unit", "°C"}}, 23.5)
                         .add({{"zone", "tea \"room\""}, {"point", "noise"}, {"unit", "dBA"}}, 41));
  families.push_back(MetricFamily{"atmo_modbus_requests_total", "Transactions", MetricType::counter, {}}.add({}, 7));
  families.push_back(MetricFamily{"atmo_alarms_active", "Alarms", MetricType::gauge, {}});
  const std::string expected =
      "# HELP atmo_reading Latest value\\nof a point\n"
      "# TYPE atmo_reading gauge\n"
      "atmo_reading{zone=\"lounge\",point=\"temperature\",unit=\"°C\"} 23.5\n"
      "atmo_reading{zone=\"tea \\\"room\\\"\",point=\"noise\",unit=\"dBA\"} 41\n"
      "# HELP atmo_modbus_requests_total Transactions\n"
      "# TYPE atmo_modbus_requests_total counter\n"
      "atmo_modbus_requests_total 7\n"
      "# HELP atmo_alarms_active Alarms\n"
      "# TYPE atmo_alarms_active gauge\n";
  CHECK(render_metrics(families) == expected);
}

TEST_CASE("invalid names, repeated families and counters without _total are programming errors", "[fleet][metrics]") {
  CHECK_THROWS_AS(render_metrics({MetricFamily{"atmo-bad", "x", MetricType::gauge, {}}}), std::invalid_argument);
  CHECK_THROWS_AS(render_metrics({MetricFamily{"atmo_requests", "x", MetricType::counter, {}}}), std::invalid_argument);
  CHECK_THROWS_AS(render_metrics({MetricFamily{"atmo_a", "x", MetricType::gauge, {}}, MetricFamily{"atmo_a", "y", MetricType::gauge, {}}}),
                  std::invalid_argument);
  CHECK_THROWS_AS(render_metrics({MetricFamily{"atmo_a", "x", MetricType::gauge, {}}.add({{"__name__", "v"}}, 1)}),
                  std::invalid_argument);
  CHECK_THROWS_AS(render_metrics({MetricFamily{"atmo_a", "x", MetricType::gauge, {}}.add({{"zone", "a"}, {"zone", "b"}}, 1)}),
                  std::invalid_argument);
}
