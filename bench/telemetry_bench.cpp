// Figure 3 of bench/run, two parts, one JSON line per variant and repetition:
//
// ingest: readings/s through TelemetryStore (queue, point-id map, one writer thread, per-minute
//   rollups, WAL, synchronous as configured) next to a bare loop of batched prepared INSERTs into the
//   same schema and index. The clock stops once every reading is committed (flush).
// compliance: one venue-local day of 50 points at 1 Hz (4.32 M readings) fed through the compliance
//   engine (50 criteria, tolerance windows, hysteresis, the daily index), next to a bare loop that
//   only counts each point's seconds inside its range over the same readings.
//
//   telemetry_bench ingest [readings=2000000] [points=200] [repetitions=3] [directory=/tmp]
//   telemetry_bench compliance [repetitions=3]
#include <stdlib.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "controller/telemetry/sqlite_connection.hpp"
#include "controller/telemetry/telemetry_schema.hpp"
#include "controller/telemetry/telemetry_store.hpp"
#include "zones/compliance.hpp"
#include "zones/day_calendar.hpp"

using namespace atmo;
using namespace atmo::telemetry;
using Steady = std::chrono::steady_clock;

namespace {

constexpr TimeMs kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
constexpr std::size_t kBatch = 5000;       // same as StoreOptions::max_batch_readings

double seconds_since(Steady::time_point start) { return std::chrono::duration<double>(Steady::now() - start).count(); }

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::exit(1);
}

// ---- ingest ----------------------------------------------------------------------------------

std::string point_name(int i) { return "zone" + std::to_string(i % 8) + ".device.point" + std::to_string(i); }

const char* sync_name(Synchronous sync) { return sync == Synchronous::normal ? "NORMAL" : "FULL"; }

double run_store(const std::string& path, std::int64_t readings, int points, Synchronous sync) {
  SystemClock clock;
  StoreOptions options;
  options.path = path;
  options.synchronous = sync;
  options.max_queued_readings = static_cast<std::size_t>(readings) + 1;  // measure, never drop
  auto store = TelemetryStore::open(options, clock);
  if (!store) fail(store.error().message);
  std::vector<std::string> names;
  for (int p = 0; p < points; ++p) names.push_back(point_name(p));

  const auto start = Steady::now();
  std::int64_t n = 0;
  for (std::int64_t tick = 0; n < readings; ++tick) {
    // One poll cycle: every point once, 100 ms apart. Building the vector is the poller's cost.
    std::vector<Reading> cycle;
    cycle.reserve(static_cast<std::size_t>(points));
    for (int p = 0; p < points && n < readings; ++p, ++n) {
      cycle.push_back(
          {names[static_cast<std::size_t>(p)], kT0 + tick * 100, 20.0 + (n % 100) * 0.01, v1::QUALITY_GOOD});
    }
    store.value()->append(std::move(cycle));
  }
  if (!store.value()->flush(std::chrono::minutes(10))) fail("flush timed out");
  const double total = seconds_since(start);
  if (store.value()->health().dropped_readings != 0) fail("the store dropped readings");
  store.value()->stop();
  return static_cast<double>(readings) / total;
}

double run_bare(const std::string& path, std::int64_t readings, int points, Synchronous sync) {
  auto opened = Connection::open(path, Connection::Mode::read_write);
  if (!opened) fail(opened.error().message);
  Connection& db = opened.value();
  (void)db.exec("PRAGMA journal_mode=WAL");
  (void)db.exec(sync == Synchronous::full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  if (auto m = migrate_schema(db); !m) fail(m.error().message);  // the same tables and index
  for (int p = 0; p < points; ++p) {
    (void)db.exec("INSERT INTO points(id, name) VALUES(" + std::to_string(p + 1) + ", '" + point_name(p) + "')");
  }
  auto insert = db.prepare("INSERT INTO readings(point_id, time_ms, value, quality) VALUES(?1, ?2, ?3, 1)");
  if (!insert) fail(insert.error().message);
  Statement& s = insert.value();

  const auto start = Steady::now();
  std::int64_t n = 0;
  while (n < readings) {
    (void)db.exec("BEGIN IMMEDIATE");
    for (std::size_t i = 0; i < kBatch && n < readings; ++i, ++n) {
      s.reset();
      s.bind(1, static_cast<std::int64_t>(n % points + 1));
      s.bind(2, static_cast<std::int64_t>(kT0 + (n / points) * 100));
      s.bind(3, 20.0 + (n % 100) * 0.01);
      if (s.step() != SQLITE_DONE) fail("insert failed");
    }
    (void)db.exec("COMMIT");
  }
  return static_cast<double>(readings) / seconds_since(start);
}

int ingest(int argc, char** argv) {
  const std::int64_t readings = argc > 2 ? std::atoll(argv[2]) : 2'000'000;
  const int points = argc > 3 ? std::atoi(argv[3]) : 200;
  const int repetitions = argc > 4 ? std::atoi(argv[4]) : 3;
  std::string dir = (std::filesystem::path(argc > 5 ? argv[5] : "/tmp") / "atmo-telemetry-bench-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) fail("cannot create " + dir);
  for (int rep = 0; rep < repetitions; ++rep) {
    for (Synchronous sync : {Synchronous::normal, Synchronous::full}) {
      const std::string tag = std::string(sync_name(sync)) + "-" + std::to_string(rep);
      // Alternate which runs first, so neither always gets the cooler page cache.
      double bare = 0, store = 0;
      if (rep % 2 == 0) {
        bare = run_bare(dir + "/bare-" + tag + ".db", readings, points, sync);
        store = run_store(dir + "/store-" + tag + ".db", readings, points, sync);
      } else {
        store = run_store(dir + "/store-" + tag + ".db", readings, points, sync);
        bare = run_bare(dir + "/bare-" + tag + ".db", readings, points, sync);
      }
      std::printf(
          "{\"part\": \"ingest\", \"synchronous\": \"%s\", \"readings\": %lld, \"points\": %d, "
          "\"store_readings_per_s\": %.0f, \"bare_readings_per_s\": %.0f}\n",
          sync_name(sync), static_cast<long long>(readings), points, store, bare);
      std::fflush(stdout);
      std::filesystem::remove(dir + "/bare-" + tag + ".db");
      std::filesystem::remove(dir + "/store-" + tag + ".db");
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}

// ---- compliance ------------------------------------------------------------------------------

constexpr int kZones = 10;
constexpr int kPointsPerZone = 5;
constexpr int kPoints = kZones * kPointsPerZone;
constexpr TimeMs kDayMs = 86'400'000;

/// 10 zones of 5 temperature sensors, one criterion per sensor (21..25 °C, 300 s tolerance).
std::shared_ptr<const zones::Venue> compliance_venue() {
  v1::Venue v;
  v.set_id("bench");
  v.set_time_zone("UTC");
  auto* bus = v.add_buses();
  bus->set_id("b1");
  bus->mutable_tcp()->set_host("127.0.0.1");
  auto* profile = v.add_profiles();
  profile->set_id("sensor");
  auto* map = profile->add_points();
  map->set_name("temperature");
  map->set_quantity(v1::QUANTITY_AIR_TEMPERATURE);
  map->set_table(v1::REGISTER_TABLE_INPUT);
  map->set_poll_ms(1000);
  map->mutable_range()->set_min(-40);
  map->mutable_range()->set_max(125);
  unsigned unit = 1;
  for (int z = 0; z < kZones; ++z) {
    auto* zone = v.add_zones();
    zone->set_id("zone" + std::to_string(z));
    zone->add_scenes()->set_id("day");
    for (int d = 0; d < kPointsPerZone; ++d) {
      auto* device = v.add_devices();
      device->set_id("s" + std::to_string(d));
      device->set_zone(zone->id());
      device->set_profile("sensor");
      device->set_bus("b1");
      device->set_unit(unit++);
      auto* c = zone->mutable_standard()->add_criteria();
      c->set_id("t" + std::to_string(d));
      c->set_sense(v1::SENSE_TOUCH);
      c->set_point("s" + std::to_string(d) + ".temperature");
      c->mutable_range()->set_min(21);
      c->mutable_range()->set_max(25);
      c->set_tolerance_s(300);
      c->set_hysteresis(0.3);
    }
  }
  return zones::Venue::create(std::move(v));
}

/// A day of readings: each point wanders around 23 °C and leaves its range now and then.
std::vector<float> day_of_values() {
  std::vector<float> values(static_cast<std::size_t>(kPoints) * 86'400);
  std::uint64_t state = 0x9e3779b97f4a7c15ULL;
  for (int p = 0; p < kPoints; ++p) {
    double v = 23.0;
    for (int s = 0; s < 86'400; ++s) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      v += (static_cast<double>(state >> 11) * 0x1.0p-53 - 0.5) * 0.05 + (23.0 - v) * 0.0005;
      values[static_cast<std::size_t>(s) * kPoints + static_cast<std::size_t>(p)] = static_cast<float>(v);
    }
  }
  return values;
}

int compliance(int argc, char** argv) {
  const int repetitions = argc > 2 ? std::atoi(argv[2]) : 3;
  auto venue = compliance_venue();
  std::vector<std::string> ids;
  for (int z = 0; z < kZones; ++z) {
    for (int d = 0; d < kPointsPerZone; ++d)
      ids.push_back("zone" + std::to_string(z) + ".s" + std::to_string(d) + ".temperature");
  }
  const std::vector<float> values = day_of_values();
  zones::UtcDayCalendar calendar;
  for (int rep = 0; rep < repetitions; ++rep) {
    // atmo: the engine over the whole day, then the day's index (the next midnight closes it).
    double engine_seconds = 0;
    std::size_t events = 0;
    double percent_in_standard = 0;
    {
      const auto t0 = Steady::now();
      zones::ComplianceEngine engine(venue, calendar, kT0);
      events += engine.set_day_part("day", kT0).events.size();
      for (int s = 0; s < 86'400; ++s) {
        const TimeMs t = kT0 + static_cast<TimeMs>(s) * 1000;
        const float* row = &values[static_cast<std::size_t>(s) * kPoints];
        for (int p = 0; p < kPoints; ++p) {
          events += engine.feed(ids[static_cast<std::size_t>(p)], row[p], v1::QUALITY_GOOD, t).events.size();
        }
      }
      auto update = engine.advance_to(kT0 + kDayMs);
      engine_seconds = seconds_since(t0);
      events += update.events.size();
      double in = 0, applicable = 0;
      for (const auto& day : update.finished_days) {
        in += static_cast<double>(day.in_standard_ms);
        applicable += static_cast<double>(day.in_standard_ms + day.out_of_standard_ms);
      }
      if (update.finished_days.empty() || applicable <= 0) fail("the compliance engine closed no day");
      percent_in_standard = 100.0 * in / applicable;
    }
    // Baseline: seconds inside the range per point, nothing else.
    double bare_seconds = 0;
    double bare_percent = 0;
    {
      const auto t0 = Steady::now();
      std::vector<std::int64_t> inside(kPoints, 0);
      for (int s = 0; s < 86'400; ++s) {
        const float* row = &values[static_cast<std::size_t>(s) * kPoints];
        for (int p = 0; p < kPoints; ++p) inside[static_cast<std::size_t>(p)] += row[p] >= 21.0F && row[p] <= 25.0F;
      }
      bare_seconds = seconds_since(t0);
      std::int64_t total = 0;
      for (auto n : inside) total += n;
      bare_percent = 100.0 * static_cast<double>(total) / (86'400.0 * kPoints);
    }
    std::printf(
        "{\"part\": \"compliance\", \"points\": %d, \"readings\": %d, \"engine_seconds\": %.4f, "
        "\"bare_seconds\": %.5f, \"events\": %zu, \"percent_in_standard\": %.2f, \"bare_percent_in_range\": "
        "%.2f}\n",
        kPoints, kPoints * 86'400, engine_seconds, bare_seconds, events, percent_in_standard, bare_percent);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string part = argc > 1 ? argv[1] : "ingest";
  if (part == "ingest") return ingest(argc, argv);
  if (part == "compliance") return compliance(argc, argv);
  std::fprintf(stderr, "usage: %s ingest [readings] [points] [repetitions] [dir] | compliance [repetitions]\n",
               argv[0]);
  return 2;
}
