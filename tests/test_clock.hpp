// The venue time every process-level test starts atmo at (`--clock`): pinned, so no outcome
// depends on the hour, weekday or date the suite runs. The `clock` ctest job runs the
// schedule-sensitive tests again at other pinned starts by setting ATMO_TEST_CLOCK.
#pragma once

#include <cstdlib>
#include <string>

namespace atmo::test {

/// A Wednesday at 10:00 in the demo venue (Europe/Riga): the weekday program's "day" part, with
/// hours before the next scheduled change.
inline constexpr const char* kDefaultTestClock = "2027-03-24T10:00:00";

inline std::string test_clock() {
  const char* pinned = std::getenv("ATMO_TEST_CLOCK");
  return pinned && *pinned ? pinned : kDefaultTestClock;
}

}  // namespace atmo::test
