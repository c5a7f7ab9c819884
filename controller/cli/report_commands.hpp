// `atmo report` (a day's compliance, alarms, checklist and plots as HTML, CSV or Markdown) and
// `atmo log export` (stored readings to CSV): read-only, straight from the telemetry database, so
// they work on a copy of the database as well as beside a running daemon.
#pragma once

#include <CLI/CLI.hpp>

namespace atmo::cli {

void add_report_commands(CLI::App& app);

}  // namespace atmo::cli
