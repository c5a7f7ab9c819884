// Buses named by URL, for the CLI and diagnostics: "tcp://10.0.0.7:502" and
// "rtu:///dev/ttyUSB0?baud=19200&parity=E&data_bits=8&stop_bits=1". The inverse of describe().
#pragma once

#include <string_view>

#include "config/atmo.pb.h"
#include "zones/result.hpp"

namespace atmo::modbus {

/// Parses a bus URL into a Bus message (id "url"); defaults as in the schema (port 502, 9600 8N1).
/// Errors: unknown scheme, missing host or device, bad port, baud, parity or option names.
Result<v1::Bus> parse_bus_url(std::string_view url);

/// True when `text` looks like a URL rather than a bus id from a venue file.
bool is_bus_url(std::string_view text);

}  // namespace atmo::modbus
