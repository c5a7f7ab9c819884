// The simulator's control language: one command per line, one reply line "ok …" or "error …".
// Tests, the demo and `atmo sim ctl` use it to read and force points, set soundscape levels and
// inject faults. Parsing is separate from the socket so it can be tested without a network.
#pragma once

#include <string>
#include <string_view>

#include "sim/simulator.hpp"

namespace atmo::sim {

/// Commands:
///   get POINT                  -> ok VALUE
///   set POINT VALUE            -> ok VALUE        (forces an input or writes an output)
///   sound ZONE DB|off          -> ok
///   fault DEVICE drop|delay MS|exception CODE|garbage|close|clear -> ok FAULT
///   bus BUS down|up            -> ok PORT
///   status                     -> ok {JSON}
///   points [ZONE]              -> ok ID ID …
///   help                       -> ok …
/// Never throws; every mistake is an "error …" line a person can act on.
std::string execute_control_command(Simulator& sim, std::string_view line);

/// The reply to `help`, also shown by `atmo sim ctl --help`.
std::string control_help();

}  // namespace atmo::sim
