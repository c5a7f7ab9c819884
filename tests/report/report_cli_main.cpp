// A test-only `atmo` with just the report commands, so the CLI is exercised as a process (argument
// parsing, files written, exit codes) while the full binary is wired elsewhere. Mirrors main.cpp's
// handling of CLI11 outcomes.
#include <CLI/CLI.hpp>

#include "controller/cli/exit_codes.hpp"
#include "controller/cli/report_commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"atmo (report commands only, for tests)", "atmo"};
  app.require_subcommand(1);
  atmo::cli::add_report_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : atmo::cli::kExitUsage;
  }
  return atmo::cli::kExitOk;
}
