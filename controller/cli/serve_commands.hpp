// `atmo serve` (the daemon on a venue file) and `atmo demo` (the built-in demo venue with its
// simulator in the same process).
#pragma once

#include <CLI/CLI.hpp>

namespace atmo::cli {

void add_serve_commands(CLI::App& app);

}  // namespace atmo::cli
