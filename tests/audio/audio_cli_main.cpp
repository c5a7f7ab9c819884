// A stand-in for the `atmo` binary with only the audio commands, so the audio CLI is tested
// without building the whole controller. Mirrors controller/main.cpp's exit-code handling.
#include <CLI/CLI.hpp>

#include "controller/cli/audio_commands.hpp"
#include "controller/cli/exit_codes.hpp"

int main(int argc, char** argv) {
  CLI::App app{"audio commands of atmo", "atmo"};
  app.require_subcommand(1);
  atmo::cli::add_audio_commands(app);
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
