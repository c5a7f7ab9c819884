// `atmo sim`: serves every device of a venue as a real Modbus TCP server (one port per bus, unit
// ids as configured) over a simple physical model of the rooms, with faults injected at run time.
// The demo runs it in-process beside the daemon; integration tests drive it like hardware.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "sim/bus_server.hpp"
#include "sim/device_fault.hpp"
#include "sim/device_image.hpp"
#include "sim/venue_physics.hpp"
#include "zones/clock.hpp"
#include "zones/result.hpp"
#include "zones/venue.hpp"

namespace atmo::sim {

struct SimulatorOptions {
  int port_offset = 0;           ///< added to every bus's port, so parallel runs do not collide
  bool ephemeral_ports = false;  ///< bind every bus to a free port instead (tests); see bus_port()
  std::string listen_host;       ///< serve every bus on this IPv4 address instead of the bus's host
  double speed = 1.0;            ///< simulated seconds per clock second (60: an hour per minute)
  std::uint64_t seed = 1;
  TimeMs tick_ms = 100;          ///< venue time between physics ticks of the tick thread (real at rate 1)
  bool tick_thread = true;       ///< false: nothing advances unless the caller calls tick()
};

/// Per-device figures for `status`.
struct DeviceStatus {
  std::string id;
  std::string bus;
  unsigned unit = 0;
  DeviceFault fault;
  DeviceCounters counters;
};

struct BusStatus {
  std::string id;
  std::string transport;  ///< "tcp", or "rtu (not served)"
  int port = 0;           ///< 0 when not served
  bool up = false;
  BusCounters counters;
};

struct SimulatorStatus {
  TimeMs simulated_ms = 0;
  std::vector<BusStatus> buses;
  std::vector<DeviceStatus> devices;
};

/// Thread safety: every public method but start() and stop() may be called from any thread while
/// the simulator runs; start() and stop() belong to the thread that owns the simulator and must not
/// overlap other calls (stop the control server before the simulator).
/// Locks: each device image has its own mutex (its registers, fault, counters); the physics has
/// one mutex for the model state and takes image locks inside it, never the reverse; servers_ and
/// the tick bookkeeping are guarded by mutex_, which is never held while calling into them.
class Simulator {
 public:
  Simulator(std::shared_ptr<const zones::Venue> venue, const Clock& clock, SimulatorOptions options = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  /// Opens one listener per TCP bus and starts the tick thread. RTU buses are skipped with a log
  /// line (served on a pty in a later version). Returns the number of buses served.
  /// Errors: a port cannot be bound (names the bus, the address and why); nothing is left running.
  Result<std::size_t> start();
  /// Stops ticking and serving; closes every connection. Idempotent; also done by the destructor.
  void stop();

  /// Advances the physics to the clock's current time (times `speed`). The tick thread calls it;
  /// tests with a ManualClock and tick_thread=false call it themselves.
  void tick();

  /// A point's current engineering value, as a client decoding the registers would read it.
  /// Errors: unknown point (with a hint).
  Result<double> get(std::string_view point) const;
  /// Writes an output as a client would, or forces an input (e.g. "entrance.fire.alarm" 1, or a
  /// temperature the model then continues from). Returns the value now held.
  /// Errors: unknown point, value outside the point's range or type.
  Result<double> set(std::string_view point, double value);
  /// The soundscape level a zone plays, dBFS (-120..0), nullopt = silence.
  Result<double> set_sound_level(std::string_view zone, std::optional<double> level_db);
  /// Injects (or with FaultKind::none clears) a fault on a device ("lounge.air").
  Result<DeviceFault> set_fault(std::string_view device, const DeviceFault& fault);
  /// Takes a bus's listener down (every connection closes) or up again on the same port.
  /// Returns the bus's port. Errors: unknown or unserved bus.
  Result<int> set_bus_up(std::string_view bus, bool up);

  /// The port a bus is served on, once started; nullopt for unknown or unserved buses.
  std::optional<int> bus_port(std::string_view bus) const;
  SimulatorStatus status() const;
  /// status() as one line of JSON, for the control protocol.
  std::string status_json() const;

  const zones::Venue& venue() const { return *venue_; }
  const SimulatorOptions& options() const { return options_; }

 private:
  DeviceImage& image_of(const zones::Device& device) const;
  BusServer* server(std::string_view bus) const;
  std::string point_hint(std::string_view point) const;

  std::shared_ptr<const zones::Venue> venue_;
  const Clock& clock_;
  const SimulatorOptions options_;
  std::vector<std::unique_ptr<DeviceImage>> images_;  // parallel to venue_->devices(); fixed after construction
  std::unique_ptr<VenuePhysics> physics_;
  std::vector<std::unique_ptr<BusServer>> servers_;   // fixed between start() and stop()

  mutable std::mutex mutex_;  ///< protects last_tick_ms_, residue_ and stop_ (with tick_cv_)
  TimeMs last_tick_ms_ = 0;
  double residue_ms_ = 0;     // fractions of a simulated ms carried between ticks at speed != 1
  bool stop_ = false;
  std::condition_variable tick_cv_;
  std::thread tick_thread_;
  bool started_ = false;
};

}  // namespace atmo::sim
