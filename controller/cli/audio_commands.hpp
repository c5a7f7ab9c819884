// `atmo audio …`: what PortAudio sees on this box (`devices`), and soundscapes rendered to a WAV
// file with the engine's own mixer (`render`) to listen to before a venue hears them.
#pragma once

#include <CLI/CLI.hpp>

namespace atmo::cli {

void add_audio_commands(CLI::App& app);

}  // namespace atmo::cli
