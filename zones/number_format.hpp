// How numbers read in messages for people: "21.5", not "21.500000" (std::to_string's fixed six
// decimals). One formatter, so a value reads the same in the event log, the API and the CLI.
#pragma once

#include <string>

namespace atmo::zones {

/// Shortest natural form with up to six significant digits: 21.5, 3000, 0.25, 1e+06.
std::string format_number(double value);

}  // namespace atmo::zones
