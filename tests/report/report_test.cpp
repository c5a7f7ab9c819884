// The day report against a simulated day written through the real telemetry store: each format is
// checked for what it says (zones, index figures, alarm durations, who confirmed what, plot
// geometry), not only that it was produced.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include <boost/json.hpp>

#include "controller/report/day_report.hpp"
#include "controller/report/report_formats.hpp"
#include "simulated_day.hpp"

namespace atmo::report {
namespace {

using test::SimulatedDay;

struct Fixture {
  test::TempDir dir;
  std::shared_ptr<const zones::Venue> venue = test::demo_venue();
  zones::Schedule schedule = zones::Schedule::create(venue).value();
  VenueTime time = *VenueTime::create(venue->config().time_zone());
  std::string db = dir.file("atmo.db");
  SimulatedDay sim = test::write_simulated_day(db, schedule);
  std::unique_ptr<telemetry::TelemetryReader> reader = telemetry::TelemetryReader::open(db).value();

  std::variant<DayReport, ReportError> build(std::string date, std::optional<std::string> zone = {},
                                             std::string lang = "en") {
    return build_day_report(*venue, schedule, time, *reader, ReportRequest{std::move(date), std::move(zone), lang, db});
  }
  DayReport report(std::optional<std::string> zone = {}, std::string lang = "en") {
    auto r = build(test::kDay, std::move(zone), std::move(lang));
    if (auto* e = std::get_if<ReportError>(&r)) FAIL("report failed: " << e->message);
    return std::get<DayReport>(std::move(r));
  }
};

const ZoneReport& zone_of(const DayReport& r, const std::string& id) {
  auto it = std::find_if(r.zones.begin(), r.zones.end(), [&](const auto& z) { return z.id == id; });
  REQUIRE(it != r.zones.end());
  return *it;
}

const CriterionSummary& criterion_of(const ZoneReport& z, const std::string& id) {
  auto it = std::find_if(z.criteria.begin(), z.criteria.end(), [&](const auto& c) { return c.id == id; });
  REQUIRE(it != z.criteria.end());
  return *it;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + what.size())) ++n;
  return n;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// The SVG of one criterion's figure in the HTML page.
std::string figure(const std::string& html, const std::string& zone, const std::string& criterion) {
  const auto start = html.find("id=\"plot-" + zone + "-" + criterion + "\"");
  REQUIRE(start != std::string::npos);
  const auto end = html.find("</figure>", start);
  REQUIRE(end != std::string::npos);
  return html.substr(start, end - start);
}

std::vector<std::size_t> polyline_point_counts(const std::string& svg) {
  std::vector<std::size_t> counts;
  const std::string open = "<polyline class=\"avg\" points=\"";
  for (auto pos = svg.find(open); pos != std::string::npos; pos = svg.find(open, pos + 1)) {
    const auto begin = pos + open.size();
    const auto end = svg.find('"', begin);
    counts.push_back(static_cast<std::size_t>(std::count(svg.begin() + static_cast<std::ptrdiff_t>(begin),
                                                         svg.begin() + static_cast<std::ptrdiff_t>(end), ',')));
  }
  return counts;
}

}  // namespace

TEST_CASE("The day report gathers index, criteria, alarms, checklist and scenes of the simulated day") {
  Fixture f;
  const auto r = f.report();
  CHECK(r.date == test::kDay);
  CHECK(r.venue_name == "Aurora Spa");
  CHECK(r.to_ms - r.from_ms == 24 * 3'600'000);
  REQUIRE(r.zones.size() == static_cast<std::size_t>(f.venue->zones().size()));
  CHECK(r.zones.front().id == "entrance");  // journey order

  // Day parts of the weekday program: closed (carried over), cleaning, opening, day, evening, closed.
  std::vector<std::string> parts;
  for (const auto& p : r.day_parts) parts.push_back(p.scene);
  CHECK(parts == std::vector<std::string>{"closed", "cleaning", "opening", "day", "evening", "closed"});

  const auto& lounge = zone_of(r, "lounge");
  CHECK(lounge.name == "Relaxation lounge");
  const auto touch = std::find_if(lounge.senses.begin(), lounge.senses.end(), [](auto& s) { return s.sense == "touch"; });
  REQUIRE(touch != lounge.senses.end());
  REQUIRE(touch->percent);
  CHECK(*touch->percent == Approx(SimulatedDay::kLoungeTouchPercent));
  CHECK(touch->in_standard_s == 37'000);
  CHECK(touch->out_of_standard_s == 3'000);
  CHECK(touch->no_data_s == 600);
  // The lounge checks all five senses; hearing has no index row, so no figure is invented for it.
  CHECK(lounge.senses.size() == 5);
  const auto hearing = std::find_if(lounge.senses.begin(), lounge.senses.end(), [](auto& s) { return s.sense == "hearing"; });
  REQUIRE(hearing != lounge.senses.end());
  CHECK_FALSE(hearing->percent);

  // Air temperature applies 08:30–21:30 (opening, day, evening) = 13 h; 45 minutes out of range.
  const auto& air = criterion_of(lounge, "air");
  CHECK(air.point == "lounge.climate.temperature");
  CHECK(air.minutes.size() == 24 * 60);
  CHECK(air.applicable_s == 13 * 3600);
  CHECK(air.out_of_range_s == SimulatedDay::kExcursionMinutes * 60);
  CHECK(air.no_data_s == 0);
  CHECK(air.alarms == 1);
  CHECK(air.alarm_s == 30 * 60);  // raised 10:15, cleared 10:45
  REQUIRE(air.reading_max);
  CHECK(*air.reading_max == Approx(SimulatedDay::kWorst));
  CHECK(*air.reading_min == Approx(24.0));  // the offline reading is not a temperature of 0

  // Illuminance has a 30-minute hole at noon (during "day", when it applies).
  const auto& light = criterion_of(lounge, "light");
  CHECK(light.minutes.size() == 24 * 60 - SimulatedDay::kGapMinutes);
  CHECK(light.no_data_s == SimulatedDay::kGapMinutes * 60);
  CHECK(light.out_of_range_s == 0);
  // A criterion with no readings at all: everything applicable is "no data".
  const auto& co2 = criterion_of(lounge, "co2");
  CHECK(co2.minutes.empty());
  CHECK(co2.no_data_s == co2.applicable_s);
  CHECK(co2.applicable_s == (21 * 60 + 30 - 9 * 60) * 60);  // day + evening only

  REQUIRE(lounge.alarms.size() == 1);
  const auto& alarm = lounge.alarms.front();
  CHECK(alarm.subject == "air");
  CHECK(alarm.subject_name == "Air temperature");
  CHECK(alarm.sense == "touch");
  CHECK(alarm.raised_ms == f.sim.day.at(10, 15));
  CHECK(alarm.cleared_ms == f.sim.day.at(10, 45));
  CHECK(alarm.duration_ms == 45 * test::kMinute);
  CHECK(alarm.worst_value == Approx(SimulatedDay::kWorst));

  REQUIRE(lounge.checklist.size() == 1);
  REQUIRE(lounge.checklist.front().confirmations.size() == 2);
  CHECK(lounge.checklist.front().confirmations[0].who == "anna");
  CHECK(lounge.checklist.front().confirmations[0].time_ms == f.sim.day.at(9, 30));
  const auto& tea = zone_of(r, "tea");
  REQUIRE(tea.checklist.size() == 2);
  CHECK(tea.checklist[0].confirmations.empty());

  // The tea alarm raised the evening before and cleared at 00:10 belongs to this day too; the one
  // raised and cleared the day before does not.
  REQUIRE(tea.alarms.size() == 1);
  CHECK(tea.alarms[0].subject == "co2");
  CHECK(tea.alarms[0].raised_ms == f.sim.day.at(-3, 0));
  CHECK(tea.alarms[0].cleared_ms == f.sim.day.at(0, 10));
  CHECK(tea.alarms[0].duration_ms == 3 * 60 * test::kMinute);
  CHECK(criterion_of(tea, "co2").alarm_s == 10 * 60);
  CHECK(criterion_of(tea, "air").alarms == 0);

  REQUIRE(lounge.scenes.size() == 3);
  CHECK(lounge.scenes[2].scene == "evening");
  CHECK(lounge.scenes[2].who == "maria");
}

TEST_CASE("The HTML report is one self-contained page with the day's figures and plots") {
  Fixture f;
  const auto r = f.report();
  const auto html = render_html(r, f.time);

  // Self-contained: nothing fetched, nothing run.
  CHECK(html.find("http") == std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("url(") == std::string::npos);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("@page { size: A4") != std::string::npos);
  CHECK(count(html, "<section class=\"zone\"") == static_cast<std::size_t>(f.venue->zones().size()));

  for (const auto& z : f.venue->zones()) CHECK(html.find(zones::Venue::display_name(z.name(), "en", z.id())) != std::string::npos);
  CHECK(html.find("92.5 %") != std::string::npos);
  CHECK(html.find("45 min") != std::string::npos);     // alarm duration, out-of-range time
  CHECK(html.find("26.5") != std::string::npos);       // worst value
  CHECK(html.find("09:30 anna, 11:00 boris") != std::string::npos);
  CHECK(html.find("never confirmed") != std::string::npos);  // tea items nobody confirmed
  CHECK(html.find(">maria<") != std::string::npos);
  CHECK(html.find("2026-11-17 21:00 (before this day)") != std::string::npos);

  // One plot per criterion of the venue; each with the standard band.
  std::size_t criteria = 0;
  for (const auto& z : f.venue->zones()) criteria += static_cast<std::size_t>(z.standard().criteria_size());
  CHECK(count(html, "<svg class=\"plot\"") == criteria);
  CHECK(count(html, "<rect class=\"band\"") == criteria);

  // Lounge air: one unbroken line of 1440 minutes; illuminance: two runs around the noon gap.
  const auto air = figure(html, "lounge", "air");
  CHECK(polyline_point_counts(air) == std::vector<std::size_t>{24 * 60});
  CHECK(count(air, "<polygon class=\"minmax\"") == 1);
  CHECK(count(air, "<rect class=\"part\"") == r.day_parts.size());
  const auto light = figure(html, "lounge", "light");
  CHECK(polyline_point_counts(light) == std::vector<std::size_t>{12 * 60, 12 * 60 - SimulatedDay::kGapMinutes});
  CHECK(polyline_point_counts(figure(html, "lounge", "co2")).empty());
  CHECK(figure(html, "lounge", "co2").find("no readings") != std::string::npos);

  // A sample for people to look at.
  const std::string sample = std::string(ATMO_BINARY_DIR) + "/tests/report/sample-report.html";
  std::ofstream(sample) << html;
  std::cout << "sample HTML report: " << sample << "\n";
}

TEST_CASE("The Russian HTML report uses the venue's Russian names and labels") {
  Fixture f;
  const auto html = render_html(f.report(std::string("lounge"), "ru"), f.time);
  CHECK(html.find("lang=\"ru\"") != std::string::npos);
  CHECK(html.find("Зона релаксации") != std::string::npos);
  CHECK(html.find("Температура воздуха") != std::string::npos);
  CHECK(html.find("Тревоги") != std::string::npos);
  CHECK(html.find("Осязание") != std::string::npos);
}

TEST_CASE("The CSV report has one row per zone and sense, and one per criterion") {
  Fixture f;
  const auto r = f.report(std::string("lounge"));
  const auto senses = lines(render_senses_csv(r));
  REQUIRE(senses.size() == 1 + 5);
  CHECK(senses[0] == kSensesCsvHeader);
  CHECK(std::find(senses.begin(), senses.end(),
                  "2026-11-18,lounge,Relaxation lounge,touch,92.50,40000,37000,3000,600,1") != senses.end());
  CHECK(std::find(senses.begin(), senses.end(), "2026-11-18,lounge,Relaxation lounge,hearing,,0,0,0,0,0") !=
        senses.end());

  const auto criteria = lines(render_criteria_csv(r));
  REQUIRE(criteria.size() == 1 + static_cast<std::size_t>(f.venue->zone("lounge")->standard().criteria_size()));
  CHECK(criteria[0] == kCriteriaCsvHeader);
  const auto air = std::find_if(criteria.begin(), criteria.end(), [](auto& l) { return l.rfind("2026-11-18,lounge,air,", 0) == 0; });
  REQUIRE(air != criteria.end());
  CHECK(*air ==
        "2026-11-18,lounge,air,Air temperature,touch,lounge.climate.temperature,°C,23.000,25.000,46800,2700,0,1800,1,"
        "24.000,24.078,26.500");

  // Every zone: the row count is the number of senses each zone's standard checks.
  const auto all = lines(render_senses_csv(f.report()));
  std::size_t expected = 0;
  for (const auto& z : f.venue->zones()) {
    std::set<int> s;
    for (const auto& c : z.standard().criteria()) s.insert(c.sense());
    for (const auto& c : z.standard().checklist()) s.insert(c.sense());
    expected += s.size();
  }
  CHECK(all.size() == 1 + expected);
}

TEST_CASE("The Markdown report is tables") {
  Fixture f;
  const auto md = render_markdown(f.report(std::string("lounge")), f.time);
  CHECK(md.find("# Daily atmosphere report: Aurora Spa, 2026-11-18") != std::string::npos);
  CHECK(md.find("## Relaxation lounge (lounge)") != std::string::npos);
  CHECK(md.find("| Touch | 92.5 % |") != std::string::npos);
  CHECK(md.find("| Air temperature | 10:15 | 10:45 | 45 min | 26.5 |") != std::string::npos);
  CHECK(md.find("| Herbal tea and water station refilled | 09:30 anna, 11:00 boris |") != std::string::npos);
  CHECK(md.find("| 14:00 | Evening | maria |") != std::string::npos);
}

TEST_CASE("The JSON summary carries the index and the alarms") {
  Fixture f;
  const auto value = boost::json::parse(render_json_summary(f.report(std::string("lounge")), f.time));
  const auto& zone = value.at("zones").at(0);
  CHECK(zone.at("zone").as_string() == "lounge");
  bool found = false;
  for (const auto& s : zone.at("senses").as_array()) {
    if (s.at("sense").as_string() == "touch") {
      found = true;
      CHECK(s.at("index_percent").as_double() == Approx(92.5));
    }
  }
  CHECK(found);
  CHECK(zone.at("alarms").at(0).at("duration_s").as_int64() == 45 * 60);
  CHECK(zone.at("alarms").at(0).at("raised").as_string() == "2026-11-18T10:15:00+02:00");
  CHECK(zone.at("checklist").at(0).at("confirmations").at(0).at("who").as_string() == "anna");
}

TEST_CASE("Report errors say what is wrong: bad date, unknown zone, a day without data") {
  Fixture f;
  auto unknown = f.build(test::kDay, std::string("spa-pool"));
  REQUIRE(std::holds_alternative<ReportError>(unknown));
  CHECK(std::get<ReportError>(unknown).kind == ReportFailure::usage);
  CHECK(std::get<ReportError>(unknown).message.find("unknown zone 'spa-pool'") != std::string::npos);
  CHECK(std::get<ReportError>(unknown).message.find("lounge") != std::string::npos);

  auto bad_date = f.build("2026-11-31");
  REQUIRE(std::holds_alternative<ReportError>(bad_date));
  CHECK(std::get<ReportError>(bad_date).kind == ReportFailure::usage);

  auto empty = f.build("2026-11-20");
  REQUIRE(std::holds_alternative<ReportError>(empty));
  CHECK(std::get<ReportError>(empty).kind == ReportFailure::no_data);
  CHECK(std::get<ReportError>(empty).message == "no readings on 2026-11-20 in " + f.db + ": was atmo running that day?");
}

}  // namespace atmo::report
