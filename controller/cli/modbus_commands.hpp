// `atmo modbus read|write|scan|watch`: a technician's direct line to a bus, by URL or by a bus id of the
// venue file, with on-the-fly decoding in every type and word order. Uses the same connection code
// and register codec as the daemon's bus workers, so what the CLI shows is what atmo would read.
#pragma once

#include <CLI/CLI.hpp>

namespace atmo::cli {

/// Adds the `modbus` subcommand (read, write, scan, watch) to `app`. Callbacks report their outcome by
/// throwing CLI::RuntimeError with an exit code from exit_codes.hpp.
void add_modbus_commands(CLI::App& app);

}  // namespace atmo::cli
