// The venue clock of a whole process: a pinned start and a rate (`--clock`, `--rate`), so a test
// runs at the hour it chooses and a demo plays a day in minutes. Every component that reads the
// time takes it; only real waits (Modbus timeouts, sockets) stay on the steady clock.
#pragma once

#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>

#include "zones/clock.hpp"
#include "zones/result.hpp"

namespace atmo {

/// Venue time = start + rate x real time elapsed since construction (steady, so a wall-clock
/// step of the host does not move it). Thread-safe: immutable after construction.
class VenueClock final : public Clock {
 public:
  static constexpr double kMinRate = 0.1;
  static constexpr double kMaxRate = 3600.0;

  /// `simulated`: false only for the demo's lived past, which a wall-clock daemon then continues
  /// in the same database (controller/demo_history.hpp); every --clock/--rate run is simulated.
  VenueClock(TimeMs start, double rate, bool simulated = true)
      : start_(start), rate_(rate), simulated_(simulated), origin_(std::chrono::steady_clock::now()) {}
  TimeMs now_ms() const override {
    const std::chrono::duration<double, std::milli> real = std::chrono::steady_clock::now() - origin_;
    return start_ + static_cast<TimeMs>(std::floor(real.count() * rate_));
  }
  double rate() const override { return rate_; }
  bool simulated() const override { return simulated_; }
  TimeMs start_ms() const { return start_; }

 private:
  TimeMs start_;
  double rate_;
  bool simulated_;
  std::chrono::steady_clock::time_point origin_;
};

/// Parses a `--clock` value: "2027-03-28T02:55:00" (or without seconds) is wall time in
/// `time_zone`; a trailing "Z" or "+02:00" / "-0500" gives the offset instead. Errors: malformed
/// text, an unknown zone, or a local time that does not exist (the spring-forward gap). A local time
/// that occurs twice (fall back) is its first occurrence, as the schedule fires it.
Result<TimeMs> parse_venue_instant(std::string_view text, const std::string& time_zone);

/// The clock a process runs on: the system clock when neither a start nor a rate is given, else a
/// VenueClock (start: `start_text` or now; rate: `rate`). Errors: as parse_venue_instant, or a rate
/// outside kMinRate..kMaxRate.
Result<std::shared_ptr<const Clock>> make_process_clock(const std::string& start_text, double rate,
                                                        const std::string& time_zone);

/// "2027-03-28 02:55:00 EET" in `time_zone`, for banners and logs (UTC when the zone is unknown).
std::string format_venue_time(TimeMs t, const std::string& time_zone);

}  // namespace atmo
