#include "drivers/modbus/backoff.hpp"

#include <algorithm>

namespace atmo::modbus {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds cap, double jitter, std::uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      cap_(std::max(cap, initial_)),
      jitter_(std::clamp(jitter, 0.0, 1.0)),
      rng_(seed) {}

std::chrono::milliseconds Backoff::next() {
  // Doubling stops once past the cap, so the shift never overflows however long a bus is down.
  double base = static_cast<double>(initial_.count());
  for (unsigned i = 0; i < attempt_ && base < static_cast<double>(cap_.count()); ++i) base *= 2;
  base = std::min(base, static_cast<double>(cap_.count()));
  ++attempt_;
  std::uniform_real_distribution<double> factor(1.0 - jitter_, 1.0);
  return std::chrono::milliseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(base * factor(rng_))));
}

}  // namespace atmo::modbus
