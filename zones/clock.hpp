// Time is explicit in atmo: every component takes a Clock and works in UTC milliseconds, so tests
// can run a whole simulated day in milliseconds with a ManualClock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace atmo {

using TimeMs = std::int64_t;  ///< UTC milliseconds since the Unix epoch

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs now_ms() const = 0;
  /// Venue seconds per real second: timers that wait in real time divide venue periods by it.
  virtual double rate() const { return 1.0; }
  /// True when venue time is not the wall clock (a pinned start or a rate): shown and recorded.
  virtual bool simulated() const { return false; }

  /// The real milliseconds to wait between events `venue_ms` of venue time apart, never less than
  /// `floor_ms`: on a fast venue clock periodic work runs more often, down to what the host keeps.
  double real_period_ms(double venue_ms, double floor_ms) const {
    return venue_ms / rate() < floor_ms ? floor_ms : venue_ms / rate();
  }
};

class SystemClock final : public Clock {
 public:
  TimeMs now_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
};

/// A clock tests move by hand. Safe to read from other threads while one thread advances it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start = 0) : now_(start) {}
  TimeMs now_ms() const override { return now_.load(std::memory_order_acquire); }
  void set(TimeMs t) { now_.store(t, std::memory_order_release); }
  void advance(TimeMs delta) { now_.fetch_add(delta, std::memory_order_acq_rel); }

 private:
  std::atomic<TimeMs> now_;
};

}  // namespace atmo
