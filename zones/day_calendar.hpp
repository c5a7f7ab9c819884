// Where the venue's local days begin and end. The compliance index is kept per local day; the
// Schedule knows the time zone and implements this, tests can use UtcDayCalendar.
#pragma once

#include <string>

#include "zones/clock.hpp"

namespace atmo::zones {

class DayCalendar {
 public:
  virtual ~DayCalendar() = default;
  /// Return: the local date of instant t as "YYYY-MM-DD".
  virtual std::string day_of(TimeMs t) const = 0;
  /// Return: the UTC instant the local day after the one holding t begins (always > t).
  virtual TimeMs next_day_start(TimeMs t) const = 0;
};

/// Days in UTC: for tests and for venues whose reports are kept in UTC.
class UtcDayCalendar final : public DayCalendar {
 public:
  std::string day_of(TimeMs t) const override;
  TimeMs next_day_start(TimeMs t) const override;
};

}  // namespace atmo::zones
