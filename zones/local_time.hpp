// Wall-clock times of the venue as the config writes them ("HH:MM", ISO weekdays). Only the
// scheduler converts between these and UTC; the rest of atmo receives them already resolved.
#pragma once

#include <string>
#include <string_view>

#include "config/atmo.pb.h"
#include "zones/result.hpp"

namespace atmo::zones {

/// A moment of the venue's local week, to the minute.
struct LocalClockTime {
  int weekday = 1;        ///< ISO: 1 = Monday .. 7 = Sunday (same numbers as v1::Weekday)
  int minute_of_day = 0;  ///< 0 .. 1439
};

/// Parses "HH:MM" (00:00 .. 23:59) into minutes after midnight.
/// Errors: anything else, with the offending text in the message.
Result<int> parse_hhmm(std::string_view text);

/// "HH:MM" for minutes after midnight.
std::string format_hhmm(int minute_of_day);

/// English weekday name for an ISO weekday (1 = Monday); "?" outside 1..7.
std::string_view weekday_name(int iso_weekday);

}  // namespace atmo::zones
