// One configured bus (a TCP endpoint or an RTU serial line) and the devices on it. A worker thread
// owns the bus's only libmodbus context: it connects early, reconnects forever with backoff, writes
// outputs whose desired value changed (writes go before polls), polls the coalesced read plan without
// ever queueing a poll twice, and hands readings, health and write results to a BusSink.
//
// Threading: construct, start(), stop(), set_desired(), health() and stats() from the controller
// thread (set_desired/health/stats are thread-safe). BusSink methods run on the worker thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "drivers/modbus/device_health.hpp"
#include "drivers/modbus/modbus_connection.hpp"
#include "drivers/modbus/point_quality.hpp"
#include "drivers/modbus/read_plan.hpp"
#include "zones/clock.hpp"
#include "zones/result.hpp"
#include "zones/venue.hpp"

namespace atmo::modbus {

/// Result of a call that has nothing to return but may be refused.
using Accepted = Result<std::monostate>;

/// Where a bus worker delivers its results. Called on the worker thread; implementations must hand
/// the data over (e.g. post it to the controller) rather than do the work there.
class BusSink {
 public:
  virtual ~BusSink() = default;
  /// The readings of one poll cycle, in one batch.
  virtual void bus_readings(std::vector<PointReading> readings) = 0;
  /// A device turned online or offline.
  virtual void bus_device_health(DeviceHealth health) = 0;
  /// A write of `value` to `point` completed (error empty) or failed.
  virtual void bus_write_result(const zones::Point& point, double value, std::optional<Error> error) = 0;
  /// A read-back found the output at `actual`, not at its desired value `desired`: the desired
  /// value is not applied (refused, lost, changed at the device). Reported once per episode.
  virtual void bus_readback_mismatch(const zones::Point& point, double desired, double actual) = 0;
};

struct BusOptions {
  std::chrono::milliseconds reconnect_initial{250};
  /// The reconnect backoff also never exceeds the bus's shortest poll period, so a device that
  /// returns after a drop is polled again within two poll periods.
  std::chrono::milliseconds reconnect_cap{30'000};
  /// Readings are posted when the bus goes idle, or at the latest after this long ...
  std::chrono::milliseconds max_batch_age{250};
  /// ... or once this many are waiting (a saturated bus: about every 100 requests of 10 points).
  /// Bounded batches are allocated once at their full size and recycled by the allocator.
  std::size_t max_batch_readings = 1024;
};

/// Counters of one bus, for diagnostics and metrics.
struct BusStats {
  std::string bus_id;
  std::string endpoint;  ///< "tcp://127.0.0.1:15020"
  bool connected = false;
  std::uint64_t connects = 0;
  std::uint64_t connect_failures = 0;
  std::uint64_t reads = 0;
  std::uint64_t writes = 0;
  std::uint64_t skipped_polls = 0;  ///< polls dropped because the previous one was still due (bus overloaded)
  /// Replies thrown away because they answered no request in flight: late replies to requests that
  /// had timed out, another unit's frames. Never taken for a value.
  std::uint64_t discarded_replies = 0;
  std::size_t plan_requests = 0;    ///< read requests per full poll cycle
  std::size_t polled_points = 0;    ///< points those requests cover
  std::string last_error;
};

class ModbusBus {
 public:
  /// Throws std::runtime_error when the bus's transport cannot be set up (a start-up failure).
  ModbusBus(std::shared_ptr<const zones::Venue> venue, const v1::Bus& bus, BusSink& sink, const Clock& clock,
            BusOptions options = {});
  ~ModbusBus();
  ModbusBus(const ModbusBus&) = delete;
  ModbusBus& operator=(const ModbusBus&) = delete;

  void start();
  /// Returns within about a second even while a device hangs (TCP sockets are shut down; a serial
  /// transaction ends within the response timeout). Idempotent.
  void stop();

  /// Sets the value an output should have. The worker writes it when it differs from what was last
  /// written, re-writes it after reconnects, and supersedes a value still waiting to be written.
  /// Errors: the point is not an output of this bus, is disabled, or the value does not encode
  /// (outside the range, does not fit the register).
  Accepted set_desired(const zones::Point& point, double value);
  /// Like set_desired(), and written even when it is the value last written: the device may no
  /// longer hold it (changed by hand, power-cycled) and a safety override cannot wait for the
  /// read-back to notice.
  Accepted rewrite_desired(const zones::Point& point, double value);

  std::vector<DeviceHealth> health() const;
  /// The counts of health() without its copies and percentiles (the status endpoint asks often).
  DeviceCount device_count() const;
  /// health() of the failing devices only (DeviceHealthTracker::failing), for the alarm list.
  std::vector<DeviceHealth> failing() const;
  BusStats stats() const;
  const std::vector<ReadRequest>& plan() const { return plan_; }
  const v1::Bus& bus() const { return *bus_; }

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  struct Poll {
    ReadRequest request;
    std::size_t device = 0;              ///< index into devices_
    std::vector<std::size_t> trackers;   ///< index into trackers_, parallel to request.points
    SteadyTime next_due{};
  };
  struct DeviceState {
    const zones::Device* device = nullptr;
    std::vector<std::size_t> polls;      ///< the first is the probe while the device is offline
    std::vector<std::size_t> outputs;
    std::vector<std::size_t> trackers;
  };
  struct Output {
    const zones::Point* point = nullptr;
    std::size_t device = 0;
    // Guarded by mutex_:
    std::optional<double> desired;
    std::uint64_t seq = 0;         ///< bumps on every new desired value
    std::uint64_t done_seq = 0;    ///< the seq last written and acknowledged by the device
    std::uint64_t failed_seq = 0;  ///< the seq whose last write failed (refused, unanswered): retried
    bool force = false;            ///< re-write although done: reconnect, device back, drift
    SteadyTime retry_at{};
    // Worker only:
    bool verify = false;             ///< the next read-back checks a fresh write
    bool mismatch_reported = false;  ///< this desired value was reported not applied
  };

  Accepted desire(const zones::Point& point, double value, bool rewrite);
  void run();
  bool connect_once();
  void write_pending();
  void poll(Poll& poll);
  Poll* next_poll();
  enum class Transaction { read, write };
  void record(std::size_t device, Transaction kind, const TxStatus& status, std::uint32_t latency_us,
              const std::string& error);
  /// Worker thread only. The worker is the only thread that changes health_, so it reads it without
  /// status_mutex_ (which guards it against readers on other threads); next_poll() asks this for
  /// every device before every request.
  bool device_offline(std::size_t device) const { return health_[device].offline(); }
  void on_device_online(std::size_t device);
  void on_device_offline(std::size_t device, const std::string& error);
  void check_read_back(const zones::Point& point, std::span<const std::uint16_t> words, double value);
  void pace_before_transaction();
  void flush_readings(bool force);
  /// Sleeps until `until`, set_desired() or stop(), whichever comes first.
  void wait_until(SteadyTime until);
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  std::shared_ptr<const zones::Venue> venue_;
  const v1::Bus* bus_;
  BusSink& sink_;
  const Clock& clock_;
  BusOptions options_;
  zones::BusSettings settings_;
  std::unique_ptr<ModbusConnection> connection_;
  std::vector<ReadRequest> plan_;

  // Worker-owned after start():
  std::vector<Poll> polls_;
  std::vector<DeviceState> devices_;
  std::vector<PointTracker> trackers_;
  std::unordered_map<const zones::Point*, std::size_t> tracker_of_;
  std::unordered_map<const zones::Point*, std::size_t> poll_of_;
  std::vector<PointReading> batch_;
  std::size_t batch_capacity_ = 0;  ///< reserved for each batch: max_batch_readings + one request's points
  std::vector<std::uint16_t> read_buffer_;  ///< one read's registers (or bits); reused, never reallocated
  SteadyTime batch_started_{};
  SteadyTime next_tx_allowed_{};
  std::chrono::microseconds min_tx_spacing_{0};  ///< RTU: max(inter-frame gap, request pacing)

  mutable std::mutex mutex_;  ///< protects the desired-state fields of outputs_ and wake_
  std::condition_variable wake_cv_;
  bool wake_ = false;
  std::vector<Output> outputs_;
  std::unordered_map<const zones::Point*, std::size_t> output_of_;  ///< read-only after construction

  mutable std::mutex status_mutex_;  ///< protects health_ and stats_
  std::vector<DeviceHealthTracker> health_;
  BusStats stats_;

  std::atomic<bool> stopping_{false};
  std::thread worker_;
};

}  // namespace atmo::modbus
