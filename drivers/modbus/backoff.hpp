// Reconnect pacing: exponential backoff with jitter, retried forever. Jitter keeps a venue's buses
// from reconnecting in lock-step after a switch reboots; the cap keeps a returning device from
// waiting long. Pure and seeded, so tests see exact sequences.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace atmo::modbus {

class Backoff {
 public:
  /// Delays grow from `initial` by doubling up to `cap`, each multiplied by a random factor in
  /// [1 - jitter, 1] (jitter in 0..1), so the delay never exceeds `cap`.
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds cap, double jitter = 0.2,
          std::uint64_t seed = std::random_device{}());

  /// The delay before the next attempt; each call doubles the base delay up to the cap.
  std::chrono::milliseconds next();
  /// After a success: the next failure starts again from `initial`.
  void reset() { attempt_ = 0; }
  unsigned attempts() const { return attempt_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds cap_;
  double jitter_;
  unsigned attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace atmo::modbus
