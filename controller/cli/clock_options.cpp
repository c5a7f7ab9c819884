#include "controller/cli/clock_options.hpp"

#include <iostream>

#include "controller/cli/exit_codes.hpp"
#include "zones/venue_clock.hpp"

namespace atmo::cli {

void add_clock_options(CLI::App* cmd, ClockOptions& o) {
  cmd->add_option("--clock", o.start,
                  "Start the venue clock at this venue time, e.g. 2027-03-28T02:55:00 (venue-local) or "
                  "2027-03-28T00:55:00Z; the run is marked as simulated time");
  cmd->add_option("--rate", o.rate,
                  "Venue seconds per real second (0.1..3600; 120 plays a day in 12 minutes); the run is "
                  "marked as simulated time")
      ->capture_default_str();
}

std::shared_ptr<const Clock> process_clock_or_exit(const ClockOptions& o, const std::string& time_zone,
                                                   const std::string& command) {
  auto clock = make_process_clock(o.start, o.rate, time_zone);
  if (!clock) {
    std::cerr << command << ": " << clock.error().message << "\n";
    throw CLI::RuntimeError(kExitUsage);
  }
  return std::move(clock).value();
}

}  // namespace atmo::cli
