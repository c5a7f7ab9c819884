// `atmo sim` and `atmo sim ctl`: run the venue simulator from the command line, and steer a running
// one through its control port (tests, demos, trying out a venue file without hardware).
#pragma once

#include <CLI/CLI.hpp>

namespace atmo::cli {

/// Adds the `sim` subcommand (with its `ctl` child) to `app`. Their callbacks report failures by
/// throwing CLI::RuntimeError with the exit code, which CLI11_PARSE / app.exit() turn into it.
void add_sim_commands(CLI::App& app);

}  // namespace atmo::cli
