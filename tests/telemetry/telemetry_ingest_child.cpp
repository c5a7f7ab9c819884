// Helper for the kill -9 test: ingests readings through TelemetryStore at a high rate, continuing
// the sequence of point "test.seq" from what the database already holds, and prints what is
// committed, so the parent can kill it at any moment and check that nothing committed is lost.
//
//   telemetry_ingest_child <database> [readings-per-tick]
//
// Output lines: "start <first seq>", then every ~20 ms "committed <last committed seq>".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "controller/telemetry/telemetry_store.hpp"

using namespace atmo;
using namespace atmo::telemetry;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <database> [readings-per-tick]\n", argv[0]);
    return 2;
  }
  const int per_tick = argc > 2 ? std::max(1, std::atoi(argv[2])) : 10;
  SystemClock clock;
  StoreOptions options;  // the defaults are what the kill -9 guarantee is about
  options.path = argv[1];
  auto opened = TelemetryStore::open(options, clock);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().message.c_str());
    return 1;
  }
  auto& store = *opened.value();

  std::int64_t next_seq = 0;
  TimeMs last_time = 0;
  auto latest = store.reader().latest({"test.seq"});
  if (!latest) {
    std::fprintf(stderr, "%s\n", latest.error().message.c_str());
    return 1;
  }
  if (!latest->empty()) {
    next_seq = static_cast<std::int64_t>(latest->front().value) + 1;
    last_time = latest->front().time_ms;
  }
  const std::int64_t first_seq = next_seq;
  std::printf("start %lld\n", static_cast<long long>(first_seq));
  std::fflush(stdout);

  auto next_report = std::chrono::steady_clock::now();
  for (;;) {
    // One "test.seq" reading per tick, first in its vector, with a strictly increasing time so
    // "latest" is unambiguous; the other readings are load.
    const TimeMs t = std::max(clock.now_ms(), last_time + 1);
    last_time = t;
    std::vector<Reading> tick;
    tick.reserve(static_cast<std::size_t>(per_tick));
    tick.push_back({"test.seq", t, static_cast<double>(next_seq++), v1::QUALITY_GOOD});
    for (int i = 1; i < per_tick; ++i) {
      tick.push_back({"test.load." + std::to_string(i), t, static_cast<double>(i),
                      i % 5 == 0 ? v1::QUALITY_BAD : v1::QUALITY_GOOD});
    }
    store.append(std::move(tick));

    const auto now = std::chrono::steady_clock::now();
    if (now >= next_report) {
      // Readings leave the queue in order and none are dropped at this rate, so the committed
      // count says which ticks are in the database: tick k's seq reading is its first.
      const auto h = store.health();
      if (h.dropped_readings != 0) {
        std::fprintf(stderr, "unexpected drops: %llu\n",
                     static_cast<unsigned long long>(h.dropped_readings));
        return 1;
      }
      const auto ticks = static_cast<std::int64_t>((h.committed_readings + per_tick - 1) /
                                                   static_cast<std::uint64_t>(per_tick));
      if (ticks > 0) {
        std::printf("committed %lld\n", static_cast<long long>(first_seq + ticks - 1));
        std::fflush(stdout);
      }
      next_report = now + std::chrono::milliseconds(20);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}
