#include "controller/cli/audio_commands.hpp"

#include <cstdint>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "controller/cli/exit_codes.hpp"
#include "drivers/audio/audio_device_list.hpp"
#include "drivers/audio/offline_renderer.hpp"
#include "drivers/audio/procedural_generators.hpp"
#include "drivers/audio/soundscape.hpp"

namespace atmo::cli {
namespace {

struct DevicesOptions {
  bool json = false;
};

struct RenderOptions {
  std::string soundscape;
  double seconds = 30.0;
  double level_db = -20.0;
  std::uint64_t seed = 1;
  std::string out;
};

std::string json_string(const std::string& text) {
  std::ostringstream out;
  out << '"';
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out << "\\\""; break;
      case '\\': out << "\\\\"; break;
      case '\n': out << "\\n"; break;
      case '\t': out << "\\t"; break;
      default:
        if (c < 0x20) {
          out << "\\u" << std::hex << std::setw(4) << std::setfill('0') << static_cast<int>(c) << std::dec;
        } else {
          out << ch;  // UTF-8 passes through unchanged
        }
    }
  }
  out << '"';
  return out.str();
}

int run_devices(const DevicesOptions& options) {
  auto devices = audio::list_audio_devices();
  if (!devices) {
    std::cerr << "atmo audio devices: no audio device: " << devices.error().message << "\n";
    return kExitUnreachable;
  }
  if (options.json) {
    std::cout << "[";
    bool first = true;
    for (const auto& d : *devices) {
      std::cout << (first ? "\n" : ",\n") << "  {\"index\": " << d.index << ", \"name\": " << json_string(d.name)
                << ", \"host_api\": " << json_string(d.host_api) << ", \"max_output_channels\": " << d.max_output_channels
                << ", \"max_input_channels\": " << d.max_input_channels
                << ", \"default_sample_rate\": " << d.default_sample_rate
                << ", \"default_output\": " << (d.is_default_output ? "true" : "false") << "}";
      first = false;
    }
    std::cout << (first ? "]\n" : "\n]\n");
    return kExitOk;
  }
  if (devices->empty()) {
    std::cout << "PortAudio sees no audio devices (no sound card, no JACK or PulseAudio server).\n";
    return kExitUnreachable;
  }
  std::cout << std::left << std::setw(6) << "index" << std::setw(36) << "name" << std::setw(28) << "host API"
            << std::setw(8) << "out ch" << "rate\n";
  for (const auto& d : *devices) {
    std::cout << std::left << std::setw(6) << (std::to_string(d.index) + (d.is_default_output ? "*" : ""))
              << std::setw(36) << d.name << std::setw(28) << d.host_api << std::setw(8) << d.max_output_channels
              << d.default_sample_rate << "\n";
  }
  std::cout << "* default output. Pick a device in the venue file by a part of its name.\n";
  return kExitOk;
}

int run_render(const RenderOptions& options) {
  if (auto error = audio::render_builtin_to_wav(options.soundscape, options.seconds, options.level_db, options.seed,
                                                options.out)) {
    std::cerr << "atmo audio render: " << error->message << "\n";
    return error->message.rfind("unknown soundscape", 0) == 0 ? kExitUsage : kExitFailure;
  }
  std::cout << "wrote " << options.out << ": " << options.soundscape << ", " << options.seconds << " s, "
            << options.level_db << " dBFS RMS, seed " << options.seed << "\n";
  return kExitOk;
}

std::string builtin_names() {
  std::string names;
  for (const auto& spec : audio::builtin_soundscapes()) names += (names.empty() ? "" : ", ") + spec.id;
  return names;
}

}  // namespace

void add_audio_commands(CLI::App& app) {
  auto* audio = app.add_subcommand("audio", "Audio devices, soundscapes rendered offline, and the test tone through the daemon");
  audio->require_subcommand(1);

  auto devices_options = std::make_shared<DevicesOptions>();
  auto* devices = audio->add_subcommand("devices", "List the audio devices PortAudio sees");
  devices->add_flag("--json", devices_options->json, "Print a JSON array instead of a table");
  devices->footer(
      "Shows index, name, host API (ALSA, JACK, ...), maximum output channels and default sample rate.\n"
      "Exit code 4 when PortAudio cannot start or sees no device.\n\n"
      "Examples:\n"
      "  atmo audio devices\n"
      "  atmo audio devices --json | jq '.[] | select(.max_output_channels >= 8)'");
  devices->callback([devices_options] { throw CLI::RuntimeError(run_devices(*devices_options)); });

  auto render_options = std::make_shared<RenderOptions>();
  auto* render = audio->add_subcommand("render", "Render a built-in soundscape to a WAV file (no sound card needed)");
  render->add_option("--soundscape", render_options->soundscape, "Built-in soundscape: " + builtin_names())
      ->required();
  render->add_option("--seconds", render_options->seconds, "Length in seconds")
      ->check(CLI::Range(0.01, 3600.0))
      ->capture_default_str();
  render->add_option("--level-db", render_options->level_db,
                     "Level in dBFS RMS over the first 30 s (0 dB = full-scale square wave)")
      ->check(CLI::Range(-100.0, 0.0))
      ->capture_default_str();
  render->add_option("--seed", render_options->seed, "Seed: the same seed renders the same samples")
      ->capture_default_str();
  render->add_option("--out", render_options->out, "Output file (32-bit float WAV, 48 kHz stereo)")->required();
  std::string generators;
  for (const auto& g : audio::procedural_generators()) {
    generators += "  " + std::string(g.name) + (g.kind == audio::GeneratorKind::Bed ? " (bed): " : " (one-shot): ") +
                  std::string(g.description) + "\n";
  }
  render->footer(
      "Uses the live engine's mixer, so what you hear is what a zone plays at that level.\n\n"
      "Examples:\n"
      "  atmo audio render --soundscape rain --seconds 60 --level-db -24 --out rain.wav\n"
      "  atmo audio render --soundscape forest --seed 7 --seconds 20 --out forest7.wav && play forest7.wav\n\n"
      "Generators the soundscapes are built from (usable as layer sources in a venue file):\n" +
      generators);
  render->callback([render_options] { throw CLI::RuntimeError(run_render(*render_options)); });
}

}  // namespace atmo::cli
