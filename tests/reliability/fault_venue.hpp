// The venue of the device-fault soak: 32 devices on 4 Modbus TCP buses of 8 units. Buses sim-a and
// sim-b are served by `atmo sim` (the real device profiles: sensors, lights, HVAC, diffusers,
// warmers); buses py-c and py-d by tests/reliability/misbehaving_modbus.py (the reliability-probe
// profile). One venue scene runs all day, without fades, so every output has one known value.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace atmo::reliability {

/// Every input of every device is polled this often (device poll_ms), read-backs every 5 s.
inline constexpr std::chrono::milliseconds kFaultPoll{1000};
/// Response timeout of every bus.
inline constexpr std::chrono::milliseconds kFaultTimeout{300};

struct DesiredOutput {
  std::string point;
  double value = 0;  ///< what the venue scene sets
  double reset = 0;  ///< what the device falls back to after a power cycle (in range, not `value`)
};

struct FaultDevice {
  std::string id;   ///< "room-a.light"
  std::string bus;  ///< "sim-a"
  unsigned unit = 0;
  int server = -1;  ///< index of the misbehaving server serving it; -1: atmo sim
  std::vector<std::string> inputs;      ///< points read every kFaultPoll
  std::vector<DesiredOutput> outputs;   ///< what the venue scene sets
  bool faultable = false;               ///< false: kept healthy all along, to prove it loses nothing
};

struct FaultVenue {
  std::filesystem::path file;      ///< the whole venue, for the daemon
  std::filesystem::path sim_file;  ///< only the simulator's buses, devices and zones, for `atmo sim`
  std::vector<FaultDevice> devices;
  /// Input register 1 of the probe profile = tag + unit, per misbehaving server.
  std::vector<int> tags;
};

/// Writes the venue to `dir`/venue.yaml (and the simulator's part to `dir`/sim-venue.yaml): the
/// simulator's buses on `sim_ports`, the misbehaving servers' on `py_ports` (tags 3000, 4000).
FaultVenue write_fault_venue(const std::filesystem::path& dir, const std::vector<int>& sim_ports,
                             const std::vector<int>& py_ports);

}  // namespace atmo::reliability
