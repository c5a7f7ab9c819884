// Every Modbus bus of a venue, as the controller sees them: one ModbusBus (and worker thread) per
// configured bus, results posted back to the controller's executor in batches, and a thread-safe
// set_desired() for outputs. The controller thread owns all logic; no Modbus call ever runs on it.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "drivers/modbus/device_health.hpp"
#include "drivers/modbus/modbus_bus.hpp"
#include "drivers/modbus/point_quality.hpp"
#include "zones/clock.hpp"
#include "zones/result.hpp"
#include "zones/venue.hpp"

namespace atmo::modbus {

/// What the controller hears from the buses. Every method runs on the controller's executor.
class DeviceSetListener {
 public:
  virtual ~DeviceSetListener() = default;
  /// One poll cycle's readings of one bus (good, bad, stale or offline; never a silent 0).
  virtual void on_readings(std::vector<PointReading> readings) = 0;
  /// A device turned online or offline.
  virtual void on_device_health(const DeviceHealth& health) = 0;
  /// An output write finished: `error` is empty on success.
  virtual void on_write_result(const zones::Point& point, double value, const std::optional<Error>& error) = 0;
  /// Reading an output back gave `actual` although `desired` was written.
  virtual void on_readback_mismatch(const zones::Point& point, double desired, double actual) = 0;
};

class DeviceSet {
 public:
  /// Creates one bus per venue bus; nothing connects before start().
  /// Throws std::runtime_error when a bus's transport cannot be set up (a start-up failure).
  DeviceSet(std::shared_ptr<const zones::Venue> venue, boost::asio::any_io_executor controller,
            DeviceSetListener& listener, const Clock& clock, BusOptions options = {});
  /// Stops every bus. Call on the controller thread: results still queued are then dropped.
  ~DeviceSet();
  DeviceSet(const DeviceSet&) = delete;
  DeviceSet& operator=(const DeviceSet&) = delete;

  /// Starts every bus worker; they connect at once.
  void start();
  /// Stops every bus in parallel (within about a second); later results are not delivered.
  void stop();

  /// Sets the value an output should have; the point's bus makes the device match.
  /// Errors: unknown/disabled/non-output point, or a value that does not encode.
  Accepted set_desired(const zones::Point& point, double value);
  /// ModbusBus::rewrite_desired on the point's bus.
  Accepted rewrite_desired(const zones::Point& point, double value);

  /// Snapshots of every device, in venue order of buses. Thread-safe.
  std::vector<DeviceHealth> health() const;
  DeviceCount device_count() const;
  std::vector<DeviceHealth> failing() const;
  std::vector<BusStats> bus_stats() const;
  const std::vector<std::unique_ptr<ModbusBus>>& buses() const { return buses_; }

 private:
  ModbusBus* bus_of(const zones::Point& point);
  static Accepted no_bus(const zones::Point& point);
  /// One bus's list of healths after another's, in bus order.
  std::vector<DeviceHealth> gather(std::vector<DeviceHealth> (ModbusBus::*of_bus)() const) const;
  class Relay;

  std::shared_ptr<const zones::Venue> venue_;
  std::shared_ptr<Relay> relay_;  ///< shared with queued handlers, which check it is still alive
  std::vector<std::unique_ptr<ModbusBus>> buses_;
};

}  // namespace atmo::modbus
