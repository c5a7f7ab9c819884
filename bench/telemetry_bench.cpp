// Telemetry ingest throughput: readings/s through TelemetryStore (queue, point-id map, one writer
// thread, per-minute rollups, WAL + synchronous=NORMAL) next to a bare loop of batched prepared
// INSERTs into the same schema and index, in the same run, and their ratio. Prints a table.
//
//   telemetry_bench [readings=2000000] [points=200] [directory=/tmp]
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "controller/telemetry/sqlite_connection.hpp"
#include "controller/telemetry/telemetry_schema.hpp"
#include "controller/telemetry/telemetry_store.hpp"

using namespace atmo;
using namespace atmo::telemetry;
using Steady = std::chrono::steady_clock;

namespace {

constexpr TimeMs kT0 = 1'767'225'600'000;
constexpr std::size_t kBatch = 5000;  // same as StoreOptions::max_batch_readings

double seconds_since(Steady::time_point start) {
  return std::chrono::duration<double>(Steady::now() - start).count();
}

std::string point_name(int i) {
  return "zone" + std::to_string(i % 8) + ".device.point" + std::to_string(i);
}

struct StoreFigures {
  double readings_per_s = 0;
  double append_ns_per_reading = 0;
  std::uint64_t dropped = 0;
};

StoreFigures run_store(const std::string& path, std::int64_t readings, int points,
                       Synchronous sync) {
  SystemClock clock;
  StoreOptions options;
  options.path = path;
  options.synchronous = sync;
  options.max_queued_readings = static_cast<std::size_t>(readings) + 1;  // measure, never drop
  auto store = TelemetryStore::open(options, clock);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    std::exit(1);
  }
  std::vector<std::string> names;
  for (int p = 0; p < points; ++p) names.push_back(point_name(p));

  double append_seconds = 0;
  const auto start = Steady::now();
  std::int64_t n = 0;
  for (std::int64_t tick = 0; n < readings; ++tick) {
    // One poll cycle: every point once, 100 ms apart. Building the vector is the poller's cost.
    std::vector<Reading> cycle;
    cycle.reserve(static_cast<std::size_t>(points));
    for (int p = 0; p < points && n < readings; ++p, ++n) {
      cycle.push_back({names[static_cast<std::size_t>(p)], kT0 + tick * 100,
                       20.0 + (n % 100) * 0.01, v1::QUALITY_GOOD});
    }
    const auto a = Steady::now();
    store.value()->append(std::move(cycle));
    append_seconds += std::chrono::duration<double>(Steady::now() - a).count();
  }
  if (!store.value()->flush(std::chrono::minutes(10))) {
    std::fprintf(stderr, "flush timed out\n");
    std::exit(1);
  }
  const double total = seconds_since(start);
  StoreFigures f;
  f.readings_per_s = static_cast<double>(readings) / total;
  f.append_ns_per_reading = append_seconds * 1e9 / static_cast<double>(readings);
  f.dropped = store.value()->health().dropped_readings;
  store.value()->stop();
  return f;
}

double run_bare(const std::string& path, std::int64_t readings, int points, Synchronous sync) {
  auto opened = Connection::open(path, Connection::Mode::read_write);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().message.c_str());
    std::exit(1);
  }
  Connection& db = opened.value();
  (void)db.exec("PRAGMA journal_mode=WAL");
  (void)db.exec(sync == Synchronous::full ? "PRAGMA synchronous=FULL"
                                          : "PRAGMA synchronous=NORMAL");
  if (auto m = migrate_schema(db); !m) {
    std::fprintf(stderr, "%s\n", m.error().message.c_str());
    std::exit(1);
  }
  for (int p = 0; p < points; ++p) {
    (void)db.exec("INSERT INTO points(id, name) VALUES(" + std::to_string(p + 1) + ", '" +
                  point_name(p) + "')");
  }
  auto insert =
      db.prepare("INSERT INTO readings(point_id, time_ms, value, quality) VALUES(?1, ?2, ?3, 1)");
  if (!insert) std::exit(1);
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
      if (s.step() != SQLITE_DONE) std::exit(1);
    }
    (void)db.exec("COMMIT");
  }
  return static_cast<double>(readings) / seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t readings = argc > 1 ? std::atoll(argv[1]) : 2'000'000;
  const int points = argc > 2 ? std::atoi(argv[2]) : 200;
  std::string dir =
      (std::filesystem::path(argc > 3 ? argv[3] : "/tmp") / "atmo-telemetry-bench-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) return 1;

  std::printf("telemetry ingest: %lld readings over %d points, batches of %zu, WAL\n",
              static_cast<long long>(readings), points, kBatch);
  std::printf("%-10s %22s %18s %10s %16s %8s\n", "sync", "TelemetryStore r/s", "bare insert r/s",
              "ratio", "append ns/rdg", "dropped");
  for (Synchronous sync : {Synchronous::normal, Synchronous::full}) {
    const char* name = sync == Synchronous::normal ? "NORMAL" : "FULL";
    const std::string tag = name;
    const double bare = run_bare(dir + "/bare-" + tag + ".db", readings, points, sync);
    const StoreFigures store = run_store(dir + "/store-" + tag + ".db", readings, points, sync);
    std::printf("%-10s %22.0f %18.0f %10.2f %16.1f %8llu\n", name, store.readings_per_s, bare,
                store.readings_per_s / bare, store.append_ns_per_reading,
                static_cast<unsigned long long>(store.dropped));
  }
  std::printf(
      "ratio = TelemetryStore / bare (the store also writes rollups and maps point names)\n");
  std::filesystem::remove_all(dir);
  return 0;
}
