// The scheduler's logic: which day program runs on a local date (a date exception wins over the
// weekly rules), which venue scene should be active at any instant, and what changes next — all in
// the venue's time zone with DST handled. State-based and pure: ask "what should be active now?"
// at start-up and after any clock jump, instead of counting on timers having fired.
#pragma once

#include <compare>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zones/clock.hpp"
#include "zones/day_calendar.hpp"
#include "zones/local_time.hpp"
#include "zones/result.hpp"
#include "zones/venue.hpp"

namespace atmo::zones {

/// A calendar date of the venue's local time.
struct LocalDate {
  int year = 1970;
  unsigned month = 1;
  unsigned day = 1;

  /// Parses "YYYY-MM-DD". Errors: malformed text or a date that does not exist (2026-02-30).
  static Result<LocalDate> parse(std::string_view text);
  std::string to_string() const;  ///< "YYYY-MM-DD"
  auto operator<=>(const LocalDate&) const = default;
};

/// The program a date runs and why.
struct ProgramChoice {
  const v1::DayProgram* program = nullptr;  ///< nullptr: no rule or exception names this date
  std::string reason;                       ///< "New Year (exception 2026-01-01)", "weekly rule: Monday"
  bool exception = false;
};

/// One step of a day program resolved to an instant.
struct ScheduledChange {
  TimeMs at = 0;            ///< UTC ms it fires
  LocalDate date;           ///< the local date whose program it belongs to
  std::string step_at;      ///< as configured: "02:30"
  std::string local_time;   ///< local wall time it fires: "03:00" when 02:30 fell in the DST gap
  std::string venue_scene;
  std::string program;
  std::string reason;       ///< why this program runs that day (ProgramChoice::reason)
  bool shifted = false;     ///< the configured time did not exist that day (spring forward)
};

class Schedule final : public DayCalendar {
 public:
  /// Resolves the venue's time zone, week rules, exceptions and program steps.
  /// Errors: unknown time zone, malformed "HH:MM"/"YYYY-MM-DD", a range ending before it starts,
  /// or a rule, exception or step naming a program or venue scene that does not exist.
  static Result<Schedule> create(std::shared_ptr<const Venue> venue);

  Schedule(Schedule&&) noexcept;
  Schedule& operator=(Schedule&&) noexcept;
  ~Schedule() override;

  const std::string& time_zone() const;

  LocalDate local_date(TimeMs t) const;
  LocalClockTime local_clock_time(TimeMs t) const;
  /// Return: the UTC instant local date `d` begins (its first valid instant).
  TimeMs start_of_day(LocalDate d) const;

  /// Which program runs on `d`: the most specific date exception covering it (single date before
  /// range; the first listed on a tie), else the weekly rule for its weekday.
  ProgramChoice program_on(LocalDate d) const;

  /// The steps of the program of `d` as instants, in firing order. Each step fires exactly once:
  /// a time in the spring-forward gap fires at the first instant after it (02:30 -> 03:00), a time
  /// that occurs twice (fall back) fires at its first occurrence.
  std::vector<ScheduledChange> changes_on(LocalDate d) const;

  /// The change in effect at t: the last step fired at or before t, today or on an earlier day
  /// (carry-over before the day's first step). Looks back at most a year. nullopt: none.
  std::optional<ScheduledChange> active_at(TimeMs t) const;
  /// Return: the first change strictly after t (looks ahead at most a year).
  std::optional<ScheduledChange> next_change_after(TimeMs t) const;
  /// Return: every change with after < at <= until, in firing order.
  std::vector<ScheduledChange> changes_between(TimeMs after, TimeMs until) const;
  /// "What happens today / tomorrow": changes after `now` until the end of local day
  /// today + days - 1 (days = 2: the rest of today and all of tomorrow).
  std::vector<ScheduledChange> upcoming(TimeMs now, int days = 2) const;

  /// Replaces the date exceptions added at run time (a manager's holiday or private event, over
  /// the API), which count on top of the venue file's. All or nothing: on an error nothing changes.
  /// Errors: bad dates, a range ending before it starts, an unknown program, or a span that
  /// overlaps another exception (of the file or of this list), since then which one runs is a guess.
  Status set_runtime_exceptions(std::vector<v1::DateException> exceptions);
  const std::vector<v1::DateException>& runtime_exceptions() const;

  std::string day_of(TimeMs t) const override;
  TimeMs next_day_start(TimeMs t) const override;

 private:
  struct Impl;
  explicit Schedule(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace atmo::zones
