// The commands that talk to a running daemon over its API (daemon_client.hpp): logging in, the
// venue at a glance, scenes and the schedule, compliance, alarms, devices, live sensors and the
// test tone. Each callback reports its outcome by throwing CLI::RuntimeError with an exit code
// from exit_codes.hpp, like the other command groups.
#pragma once

#include <CLI/CLI.hpp>

namespace atmo::cli {

/// `atmo login`, `atmo logout`.
void add_session_commands(CLI::App& app);

/// `atmo status`, `atmo zones`, `atmo scene set|venue|list`, `atmo schedule`, `atmo check`,
/// `atmo alarms [ack]`.
void add_venue_commands(CLI::App& app);

/// `atmo devices`, `atmo sensors watch`, and `atmo audio test-tone` (added to the existing `audio`
/// command when there is one).
void add_diagnostics_commands(CLI::App& app);

}  // namespace atmo::cli
