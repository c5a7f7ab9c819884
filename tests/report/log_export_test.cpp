// The readings export against the simulated day: columns, venue-local ISO times next to UTC ms,
// qualities kept, step aggregates, and a progress callback that ends at 100 %.
#include <catch2/catch.hpp>

#include <sstream>

#include "controller/report/log_export.hpp"
#include "simulated_day.hpp"

namespace atmo::report {
namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

struct Fixture {
  test::TempDir dir;
  std::shared_ptr<const zones::Venue> venue = test::demo_venue();
  zones::Schedule schedule = zones::Schedule::create(venue).value();
  VenueTime time = *VenueTime::create(venue->config().time_zone());
  std::string db = dir.file("atmo.db");
  test::SimulatedDay sim = test::write_simulated_day(db, schedule);
  std::unique_ptr<telemetry::TelemetryReader> reader = telemetry::TelemetryReader::open(db).value();
};

}  // namespace

TEST_CASE("Raw export writes every reading with its quality, local ISO time and UTC ms") {
  Fixture f;
  std::ostringstream out;
  std::vector<double> fractions;
  ExportRequest request{{"lounge.climate.temperature", "tea.air.temperature"}, f.sim.day.at(8, 0), f.sim.day.at(9, 0), 0};
  auto summary = export_readings(*f.reader, f.time, request, out, [&](const ExportProgress& p) {
    fractions.push_back(p.fraction);
  });
  REQUIRE(summary);
  const auto rows = lines(out.str());
  REQUIRE(rows.size() == 1 + 61 + 60);  // 60 minutes of each point + the offline reading
  CHECK(summary->rows == 121);
  CHECK(summary->points_with_data == 2);
  CHECK(rows[0] == kRawExportHeader);
  const TimeMs first = f.sim.day.at(8, 0) + 5'000;
  CHECK(rows[1] == "2026-11-18T08:00:05+02:00," + std::to_string(first) + ",lounge.climate.temperature,24,good");
  CHECK(rows[2] == "2026-11-18T08:00:30+02:00," + std::to_string(f.sim.day.at(8, 0) + 30'000) +
                       ",lounge.climate.temperature,0,offline");
  CHECK(rows[62].rfind("2026-11-18T08:00:05+02:00,", 0) == 0);
  CHECK(rows[62].find(",tea.air.temperature,23,good") != std::string::npos);
  REQUIRE_FALSE(fractions.empty());
  CHECK(fractions.back() == 1.0);
  CHECK(std::is_sorted(fractions.begin(), fractions.end()));
}

TEST_CASE("Step export averages good readings per step") {
  Fixture f;
  std::ostringstream out;
  ExportRequest request{{"lounge.climate.temperature"}, f.sim.day.midnight, f.sim.day.midnight + 24 * 3'600'000,
                        3'600'000};
  auto summary = export_readings(*f.reader, f.time, request, out);
  REQUIRE(summary);
  const auto rows = lines(out.str());
  REQUIRE(rows.size() == 1 + 24);
  CHECK(rows[0] == kStepExportHeader);
  // 10:00–11:00: 45 minutes at 26.5 and 15 at 24.
  CHECK(rows[11] == "2026-11-18T10:00:00+02:00," + std::to_string(f.sim.day.at(10, 0)) +
                        ",lounge.climate.temperature,25.875,good,24,26.5,60");
  CHECK(rows[9].find(",24,good,24,24,60") != std::string::npos);  // 08:00: the offline reading not counted
}

TEST_CASE("A point never recorded exports only the header") {
  Fixture f;
  std::ostringstream out;
  auto summary = export_readings(*f.reader, f.time, {{"hammam.air.humidity"}, f.sim.day.midnight, f.sim.day.at(23, 0), 0},
                                 out);
  REQUIRE(summary);
  CHECK(summary->rows == 0);
  CHECK(summary->points_with_data == 0);
  CHECK(lines(out.str()) == std::vector<std::string>{kRawExportHeader});
}

TEST_CASE("Times typed for --from/--to are read in the venue's time zone") {
  const auto time = *VenueTime::create("Europe/Riga");
  CHECK(*time.parse("2026-11-18") == *time.parse("2026-11-17T22:00Z"));
  CHECK(*time.parse("2026-11-18T08:00") == *time.parse("2026-11-18T06:00:00Z"));
  CHECK(*time.parse("2026-11-18 08:00:30") == *time.parse("2026-11-18T08:00:30+02:00"));
  CHECK(*time.parse("2026-07-01T12:00") == *time.parse("2026-07-01T09:00Z"));  // summer time: +03:00
  CHECK(time.iso(*time.parse("2026-07-01T12:00")) == "2026-07-01T12:00:00+03:00");
  // 03:30 on the spring-forward night does not exist in Riga: the first instant after the gap.
  CHECK(time.iso(*time.parse("2026-03-29T03:30")) == "2026-03-29T04:00:00+03:00");
  CHECK(*time.parse("1763445600000") == 1763445600000);
  CHECK_FALSE(time.parse("18.11.2026"));
  CHECK_FALSE(time.parse("2026-11-31"));
  CHECK_FALSE(time.parse("2026-11-18T25:00"));
  CHECK_FALSE(VenueTime::create("Mars/Olympus"));
}

}  // namespace atmo::report
