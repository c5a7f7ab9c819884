// A fault the simulator injects into one device at run time, so tests and the demo can show what
// atmo does when real hardware misbehaves: silence, slowness, exceptions, nonsense, dropped links.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "zones/result.hpp"

namespace atmo::sim {

enum class FaultKind {
  none,       ///< answer normally
  drop,       ///< answer nothing; the connection stays open (the client times out)
  delay,      ///< answer normally, `delay_ms` late (other devices on the bus are not held up)
  exception,  ///< answer every request with Modbus exception `exception_code`
  garbage,    ///< answer reads with raw values outside each point's range
  close,      ///< close the client's connection on each request to this device, without answering
};

/// One device has at most one fault at a time; setting another replaces it.
struct DeviceFault {
  FaultKind kind = FaultKind::none;
  unsigned delay_ms = 0;
  unsigned exception_code = 0;  ///< 1..255; libmodbus names 1..11 (e.g. 2 illegal data address, 6 busy)

  bool operator==(const DeviceFault&) const = default;
};

/// "none", "drop", "delay 300", "exception 6", ...: how status and the control protocol show it.
std::string to_string(const DeviceFault& fault);

/// Parses the words after `fault DEVICE`: "drop", "delay MS", "exception CODE", "garbage", "close",
/// "clear" (or "none").
/// Errors: an unknown kind, a missing or non-numeric argument, a code outside 1..255.
Result<DeviceFault> parse_fault(std::string_view text);

}  // namespace atmo::sim
