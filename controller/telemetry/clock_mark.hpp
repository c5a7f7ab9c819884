// Which kind of clock a telemetry database was made on: the wall clock (a venue's real history) or
// a simulated one (--clock/--rate: tests, the time-lapse demo). The two never mix: a simulated run
// would write invented times among real ones, and the reports would count both.
#pragma once

#include <string>
#include <string_view>

#include "zones/result.hpp"

namespace atmo::telemetry {

/// The state key the mark is kept under, and its two values.
inline constexpr std::string_view kClockMarkKey = "clock";
inline constexpr std::string_view kClockMarkReal = "wall clock";
inline constexpr std::string_view kClockMarkSimulated = "simulated";

inline std::string_view clock_mark(bool simulated) { return simulated ? kClockMarkSimulated : kClockMarkReal; }

/// Before anything opens the database for writing: reads it (read-only; nothing is created or
/// written) and refuses a clock of the other kind. A database without a mark but with readings or
/// events was made on the wall clock (before marks existed). Errors: a mismatch, with what to do.
Status check_clock_mark(const std::string& db_path, bool simulated);

}  // namespace atmo::telemetry
