// A telemetry database for one simulated day of the demo venue (Wednesday 2026-11-18, Europe/Riga,
// weekday program), written through the real TelemetryStore with a manual clock: per-minute
// readings of a few lounge and tea points (with an excursion, a gap and an offline reading), an
// alarm raised and cleared, checklist confirmations, scene changes and daily index rows.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "config/venue_loader.hpp"
#include "controller/report/venue_time.hpp"
#include "controller/telemetry/telemetry_store.hpp"
#include "zones/schedule.hpp"

namespace atmo::report::test {

inline constexpr TimeMs kMinute = 60'000;
inline constexpr const char* kDay = "2026-11-18";

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "atmo-report-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string demo_venue_file() { return std::string(ATMO_SOURCE_DIR) + "/config/venues/demo.yaml"; }

inline std::shared_ptr<const zones::Venue> demo_venue() {
  auto loaded = config::load_venue_file(demo_venue_file());
  if (!loaded.ok()) throw std::runtime_error("demo venue does not load: " + loaded.errors.front().to_string());
  return zones::Venue::create(std::move(*loaded.venue));
}

/// The day's start (local midnight) in UTC ms, and `hh:mm` local on that day.
struct DayClock {
  TimeMs midnight = 0;
  TimeMs at(int hh, int mm) const { return midnight + (hh * 60 + mm) * kMinute; }
};

/// What the simulated day holds, so tests compare the report against the inputs.
struct SimulatedDay {
  DayClock day;
  // lounge.climate.temperature: 24.0 all day, 26.5 from 10:00 to 10:45 (45 minutes out of range).
  static constexpr int kExcursionMinutes = 45;
  static constexpr double kWorst = 26.5;
  // lounge.lux.illuminance: 80 lx all day except no readings 12:00–12:30.
  static constexpr int kGapMinutes = 30;
  // Alarm on lounge "air": departure 10:00, raised 10:15, cleared 10:45 (duration 45 min).
  static constexpr double kLoungeTouchPercent = 92.5;
};

inline SimulatedDay write_simulated_day(const std::string& path, const zones::Schedule& schedule) {
  SimulatedDay sim;
  sim.day.midnight = schedule.start_of_day(*zones::LocalDate::parse(kDay));
  const auto& d = sim.day;
  ManualClock clock(d.midnight);
  telemetry::StoreOptions options;
  options.path = path;
  auto store = telemetry::TelemetryStore::open(options, clock);
  if (!store) throw std::runtime_error(store.error().message);
  auto& s = **store;

  std::vector<telemetry::Reading> readings;
  for (int m = 0; m < 24 * 60; ++m) {
    const TimeMs t = d.midnight + m * kMinute + 5'000;
    const bool excursion = m >= 10 * 60 && m < 10 * 60 + SimulatedDay::kExcursionMinutes;
    readings.push_back({"lounge.climate.temperature", t, excursion ? SimulatedDay::kWorst : 24.0, v1::QUALITY_GOOD});
    if (m < 12 * 60 || m >= 12 * 60 + SimulatedDay::kGapMinutes) {
      readings.push_back({"lounge.lux.illuminance", t, 80.0 + (m % 10), v1::QUALITY_GOOD});
    }
    readings.push_back({"tea.air.temperature", t, 23.0, v1::QUALITY_GOOD});
  }
  // A device that stopped answering: stored, visible in the export, never counted in aggregates.
  readings.push_back({"lounge.climate.temperature", d.at(8, 0) + 30'000, 0.0, v1::QUALITY_OFFLINE});
  s.append(std::move(readings));

  const auto event = [&](TimeMs t, std::string kind, std::string zone, std::string subject, std::string who,
                         std::string message, std::string details) {
    telemetry::Event e;
    e.time_ms = t;
    e.kind = std::move(kind);
    e.zone = std::move(zone);
    e.subject = std::move(subject);
    e.who = std::move(who);
    e.message = std::move(message);
    e.details_json = std::move(details);
    s.append_event(std::move(e));
  };
  const auto ms = [](TimeMs t) { return std::to_string(t); };
  event(d.at(8, 30), "scene.applied", "lounge", "opening", "schedule", "Relaxation lounge: Opening", "{}");
  event(d.at(9, 0), "scene.applied", "lounge", "day", "schedule", "Relaxation lounge: opening -> Day", "{}");
  event(d.at(14, 0), "scene.applied", "lounge", "evening", "maria", "Relaxation lounge: day -> Evening", "{}");
  event(d.at(10, 15), "alarm.raised", "lounge", "air", "compliance", "lounge.climate.temperature (touch): 26.5",
        R"({"sense":"touch","from":"drifting","to":"out_of_standard","checklist":false,"start_ms":)" +
            ms(d.at(10, 0)) + R"(,"worst_value":26.5})");
  event(d.at(10, 45), "alarm.cleared", "lounge", "air", "compliance", "lounge.climate.temperature back in range",
        R"({"sense":"touch","from":"out_of_standard","to":"ok","checklist":false,"start_ms":)" + ms(d.at(10, 0)) +
            R"(,"end_ms":)" + ms(d.at(10, 45)) + R"(,"duration_ms":)" + ms(45 * kMinute) +
            R"(,"worst_value":26.5})");
  // Tea: an alarm of the evening before, cleared after midnight (still raised as the day began),
  // and one raised and cleared the day before (not this day's business).
  const auto alarm = [&](TimeMs t, bool raised, std::string subject, std::string sense, TimeMs start, TimeMs end) {
    std::string details = R"({"sense":")" + sense + R"(","checklist":false,"start_ms":)" + ms(start);
    if (!raised) details += R"(,"end_ms":)" + ms(end) + R"(,"duration_ms":)" + ms(end - start);
    event(t, raised ? "alarm.raised" : "alarm.cleared", "tea", subject, "compliance", subject, details + "}");
  };
  alarm(d.at(-9, 0), true, "air", "touch", d.at(-9, 10), 0);
  alarm(d.at(-8, 30), false, "air", "touch", d.at(-9, 10), d.at(-8, 30));
  alarm(d.at(-3, 0), true, "co2", "smell", d.at(-3, 10), 0);
  alarm(d.at(0, 10), false, "co2", "smell", d.at(-3, 10), d.at(0, 10));
  event(d.at(9, 30), "checklist.confirmed", "lounge", "herbal-tea", "anna", "lounge checklist herbal-tea confirmed by anna",
        R"({"sense":"taste","checklist":true})");
  event(d.at(11, 0), "checklist.confirmed", "lounge", "herbal-tea", "boris", "lounge checklist herbal-tea confirmed by boris",
        R"({"sense":"taste","checklist":true})");

  // Index rows as the controller writes them at the end of the day (seconds of measured time).
  s.put_daily_index({kDay, "lounge", "SENSE_TOUCH", SimulatedDay::kLoungeTouchPercent, 40'000, 37'000, 600});
  s.put_daily_index({kDay, "lounge", "SENSE_SIGHT", 100.0, 46'800, 46'800, 1'800});
  s.put_daily_index({kDay, "tea", "SENSE_TOUCH", 100.0, 46'800, 46'800, 0});
  if (!s.flush(std::chrono::seconds(20))) throw std::runtime_error("the store did not flush");
  s.stop();
  return sim;
}

}  // namespace atmo::report::test
