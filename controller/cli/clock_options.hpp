// `--clock` and `--rate`: the venue clock of `atmo serve`, `atmo demo` and `atmo sim`, declared
// once so the daemon and a separate simulator given the same values agree on venue time.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "zones/clock.hpp"

namespace atmo::cli {

struct ClockOptions {
  std::string start;  ///< empty: now
  double rate = 1.0;
};

void add_clock_options(CLI::App* cmd, ClockOptions& o);

/// The process clock for a venue in `time_zone`; on a bad value prints why and throws
/// CLI::RuntimeError with the usage exit code (nothing has started yet).
std::shared_ptr<const Clock> process_clock_or_exit(const ClockOptions& o, const std::string& time_zone,
                                                   const std::string& command);

}  // namespace atmo::cli
