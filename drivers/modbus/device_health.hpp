// Per-device health as technicians and the controller see it: online/offline (offline after N
// consecutive failed requests), the last error in words, request/error/timeout counters and latency
// percentiles from a fixed-size ring (no growth however long the daemon runs).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "zones/clock.hpp"
#include "zones/venue.hpp"

namespace atmo::modbus {

/// A snapshot of one device's health.
struct DeviceHealth {
  const zones::Device* device = nullptr;
  std::string device_id;  ///< "<zone>.<device>"
  std::string bus_id;
  unsigned unit = 0;
  bool online = false;
  bool ever_answered = false;  ///< false until the first reply since start
  unsigned consecutive_failures = 0;
  std::string last_error;  ///< "Illegal data address (holding 40..41)", "Connection timed out", …
  TimeMs last_error_ms = 0;
  TimeMs last_answer_ms = 0;
  std::uint64_t requests = 0;  ///< transactions attempted (reads and writes)
  std::uint64_t errors = 0;    ///< all failed transactions: timeouts, exceptions, garbage, lost links
  std::uint64_t garbled = 0;   ///< malformed replies (bad CRC, cut short, wrong size)
  std::uint64_t timeouts = 0;  ///< no answer within the response timeout
  double latency_p50_ms = 0;   ///< over the last kLatencySamples successful transactions
  double latency_p99_ms = 0;
};

/// How many devices there are and how many fail now (not online, at least one failure since the
/// last answer): the status view's count, without copying every DeviceHealth.
struct DeviceCount {
  int devices = 0;
  int failing = 0;
};

/// The last N latencies in microseconds; percentiles computed on demand.
class LatencyRing {
 public:
  static constexpr std::size_t kSamples = 256;
  void add(std::uint32_t micros);
  /// The q-quantile (0..1) in milliseconds, nearest rank; 0 with no samples.
  double percentile_ms(double q) const;
  std::size_t size() const { return full_ ? kSamples : next_; }

 private:
  std::array<std::uint32_t, kSamples> samples_{};
  std::size_t next_ = 0;
  bool full_ = false;
};

/// How a transaction ended, as far as the device's health is concerned.
enum class Outcome {
  ok,         ///< a valid reply
  exception,  ///< the device answered with a Modbus exception: alive, but refused
  garbage,    ///< a malformed reply (bad CRC, bad length, wrong unit): no answer to the request
  no_answer,  ///< timeout, gateway target failed, link lost: counts towards offline
};

/// Tracks one device. Owned by the bus worker; snapshots are copied out under its lock.
class DeviceHealthTracker {
 public:
  DeviceHealthTracker(const zones::Device& device, unsigned offline_after_failures);

  /// Records one transaction. Returns true when the device turned online or offline (the caller
  /// reports it and, on the way back online, re-applies the device's outputs).
  bool record(Outcome outcome, bool timeout, std::uint32_t latency_us, const std::string& error, TimeMs now);
  /// Counts a failure that was not a request, e.g. the bus's connection could not be opened.
  bool record_unreachable(const std::string& error, TimeMs now);

  bool online() const { return health_.online; }
  /// Offline: at least N consecutive failures (a device not yet heard from is neither).
  bool offline() const { return !health_.online && health_.consecutive_failures >= offline_after_; }
  /// Not online and failed since the last answer (before the offline threshold too).
  bool failing() const { return !health_.online && health_.consecutive_failures > 0; }
  const zones::Device& device() const { return *health_.device; }
  DeviceHealth snapshot() const;

 private:
  bool fail(const std::string& error, TimeMs now);

  DeviceHealth health_;
  LatencyRing latency_;
  unsigned offline_after_;
};

}  // namespace atmo::modbus
