// The one `atmo` binary: the daemon, the simulator and every maintenance command, as subcommands.
#include <CLI/CLI.hpp>

#include "controller/cli/audio_commands.hpp"
#include "controller/cli/config_commands.hpp"
#include "controller/cli/daemon_commands.hpp"
#include "controller/cli/exit_codes.hpp"
#include "controller/cli/modbus_commands.hpp"
#include "controller/cli/report_commands.hpp"
#include "controller/cli/serve_commands.hpp"
#include "controller/cli/sim_commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"atmo keeps a spa's sensory atmosphere on standard.", "atmo"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "atmo 0.1.0");
  app.footer("Run 'atmo COMMAND --help' for a command's options and examples. Exit codes: docs/cli.md.");
  atmo::cli::add_serve_commands(app);
  atmo::cli::add_config_commands(app);
  atmo::cli::add_sim_commands(app);
  atmo::cli::add_modbus_commands(app);
  atmo::cli::add_audio_commands(app);
  atmo::cli::add_report_commands(app);
  atmo::cli::add_session_commands(app);
  atmo::cli::add_venue_commands(app);
  atmo::cli::add_diagnostics_commands(app);  // after the audio commands: adds `audio test-tone`
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // commands report their outcome this way
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : atmo::cli::kExitUsage;
  }
  return atmo::cli::kExitOk;
}
