// The demo's past: at its first start `atmo demo` lives the venue's last days on a fast clock, with
// the in-process simulator and the real engines (schedule, scenes, compliance, telemetry), so the
// tablet's charts, the daily index and `atmo report` open on a real week instead of empty screens.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>

#include "zones/clock.hpp"
#include "zones/result.hpp"
#include "zones/venue.hpp"

namespace atmo::controller {

struct DemoHistoryOptions {
  int days = 7;                            ///< how much past to live; 0: none
  /// Venue seconds per real second while living it. A weekday at this rate costs about 12 s of
  /// one core here (measured: 3600 uses half a core, the engines keep up to about 8000).
  double rate = 7200.0;
  std::filesystem::path state_dir = ".";   ///< where the daemon's database is (it is written there)
  double sim_speed = 1.0;                  ///< the simulator's physics speed, as the demo runs it
};

/// Progress of the lived past, 0..1, called from the calling thread about 5 times a second.
using HistoryProgress = std::function<void(double fraction, TimeMs venue_time)>;

/// True when the daemon has no database in `state_dir` yet (the demo's first start).
bool demo_has_no_history(const zones::Venue& venue, const std::filesystem::path& state_dir);

/// Lives `options.days` before `until()` up to `until()` (read again as it lives: the wall clock
/// moves meanwhile, a time-lapse's pinned start does not). The daemon's own clock then takes over
/// the same database, so the database is marked with that clock's kind (`simulated`): the days
/// lived become its past. Blocking; returns once the controller has saved its state. Errors: the
/// simulator or the controller cannot start (a database of the other kind of clock, say).
Status live_demo_history(std::shared_ptr<const zones::Venue> venue, const std::function<TimeMs()>& until,
                         bool simulated, const DemoHistoryOptions& options, const HistoryProgress& progress = {});

}  // namespace atmo::controller
