// Times as a venue's staff read them: UTC ms shown and parsed in the venue's time zone (ISO-8601
// with offset for files, "HH:MM" for tables), for reports and exports.
#pragma once

#include <string>
#include <string_view>

#include "zones/clock.hpp"
#include "zones/result.hpp"

namespace atmo::report {

class VenueTime {
 public:
  /// Errors: a time zone name the system's tz database does not know.
  static Result<VenueTime> create(const std::string& time_zone);

  const std::string& time_zone() const { return name_; }
  /// "2026-11-20T08:00:00.000+02:00" (milliseconds only when not zero: "2026-11-20T08:00:00+02:00").
  std::string iso(TimeMs t) const;
  /// "08:00" local wall time.
  std::string hhmm(TimeMs t) const;
  /// "2026-11-20 08:00" local wall time.
  std::string date_hhmm(TimeMs t) const;

  /// Parses what a person types for --from/--to: "YYYY-MM-DD" (local midnight),
  /// "YYYY-MM-DDTHH:MM[:SS]" or with a space instead of T (venue-local), or the same with "Z" or
  /// "+HH:MM" (that offset), or a plain number of UTC milliseconds.
  Result<TimeMs> parse(std::string_view text) const;

 private:
  VenueTime(std::string name, const void* zone) : name_(std::move(name)), zone_(zone) {}
  std::string name_;
  const void* zone_;  ///< a const date::time_zone*, kept opaque so callers need not include date/tz.h
};

}  // namespace atmo::report
