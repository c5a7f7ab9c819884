// A small venue built in code for the zones tests: two zones (lounge, hammam) with lights, a
// diffuser, climate and an air sensor, scenes, day programs with exceptions, a standard and safety.
#pragma once

#include <chrono>
#include <memory>

#include "config/atmo.pb.h"
#include "zones/clock.hpp"
#include "zones/venue.hpp"

namespace atmo::zones::test {

v1::Venue make_test_venue_config();
std::shared_ptr<const Venue> make_test_venue();

/// UTC instant of a civil UTC time.
inline TimeMs utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  using namespace std::chrono;
  const sys_days date{year{y} / month{mo} / day{d}};
  return duration_cast<milliseconds>((date + hours{h} + minutes{mi} + seconds{s}).time_since_epoch()).count();
}

inline constexpr TimeMs kSecond = 1000;
inline constexpr TimeMs kMinute = 60 * kSecond;
inline constexpr TimeMs kHour = 60 * kMinute;

}  // namespace atmo::zones::test
