// `atmo config …`: validate a venue before deploying it, and print what it contains.
#pragma once

#include <CLI/CLI.hpp>

namespace atmo::cli {

void add_config_commands(CLI::App& app);

}  // namespace atmo::cli
