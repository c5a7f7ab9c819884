#include "drivers/modbus/device_health.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace atmo::modbus {

void LatencyRing::add(std::uint32_t micros) {
  samples_[next_] = micros;
  next_ = (next_ + 1) % kSamples;
  if (next_ == 0) full_ = true;
}

double LatencyRing::percentile_ms(double q) const {
  const std::size_t n = size();
  if (n == 0) return 0;
  std::array<std::uint32_t, kSamples> sorted = samples_;
  const auto rank = static_cast<std::size_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(n)));
  const std::size_t index = rank == 0 ? 0 : rank - 1;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(index),
                   sorted.begin() + static_cast<std::ptrdiff_t>(n));
  return sorted[index] / 1000.0;
}

DeviceHealthTracker::DeviceHealthTracker(const zones::Device& device, unsigned offline_after_failures)
    : offline_after_(std::max(1u, offline_after_failures)) {
  health_.device = &device;
  health_.device_id = device.id;
  health_.bus_id = device.bus->id();
  health_.unit = device.config->unit();
}

bool DeviceHealthTracker::fail(const std::string& error, TimeMs now) {
  ++health_.errors;
  health_.last_error = error;
  health_.last_error_ms = now;
  const bool was_offline = offline();
  ++health_.consecutive_failures;
  // A device that never answered is not yet known to be online; it turns offline after N failures
  // like any other, so a dead device at start-up is reported too.
  if (health_.consecutive_failures >= offline_after_) health_.online = false;
  return was_offline != offline();
}

bool DeviceHealthTracker::record(Outcome outcome, bool timeout, std::uint32_t latency_us, const std::string& error,
                                 TimeMs now) {
  ++health_.requests;
  if (outcome == Outcome::garbage) {
    // A frame that is not a well-formed answer to the request (a broken CRC, another request's
    // reply) proves nothing about the device asked: a device sending only that is not online.
    ++health_.garbled;
    return fail(error, now);
  }
  if (outcome == Outcome::no_answer) {
    if (timeout) ++health_.timeouts;
    return fail(error, now);
  }
  // A well-formed reply, even an exception, proves the device is there.
  const bool changed = !health_.online;  // unknown -> online and offline -> online are both news
  health_.online = true;
  health_.ever_answered = true;
  health_.consecutive_failures = 0;
  health_.last_answer_ms = now;
  latency_.add(latency_us);
  if (outcome == Outcome::exception) {
    ++health_.errors;
    health_.last_error = error;
    health_.last_error_ms = now;
  }
  return changed;
}

bool DeviceHealthTracker::record_unreachable(const std::string& error, TimeMs now) { return fail(error, now); }

DeviceHealth DeviceHealthTracker::snapshot() const {
  DeviceHealth h = health_;
  h.latency_p50_ms = latency_.percentile_ms(0.50);
  h.latency_p99_ms = latency_.percentile_ms(0.99);
  return h;
}

}  // namespace atmo::modbus
