#include "drivers/audio/offline_renderer.hpp"

#include <cmath>

#include "drivers/audio/wav_writer.hpp"
#include "drivers/audio/zone_program.hpp"

namespace atmo::audio {

OfflineRenderer::OfflineRenderer(OfflineSettings settings)
    : settings_(std::move(settings)),
      mixer_(settings_.sample_rate, settings_.output_channels, settings_.zones, settings_.block_frames),
      gate_(settings_.sample_rate) {}

std::optional<atmo::Error> OfflineRenderer::play(std::string_view zone, const SoundscapeSpec& spec, double level_db,
                                                 std::chrono::milliseconds fade) {
  const int index = mixer_.zone_index(zone);
  if (index < 0) return atmo::make_error("unknown audio zone '" + std::string(zone) + "'");
  ProgramOptions options;
  options.sample_rate = settings_.sample_rate;
  options.max_block_frames = settings_.block_frames;
  options.zone_channels = mixer_.zones()[static_cast<std::size_t>(index)].channels;
  options.calibration_seconds = settings_.calibration_seconds;
  auto program = prepare_zone_program(spec, options);
  if (!program) return program.error();
  MixerCommand command;
  command.kind = MixerCommand::Kind::Play;
  command.zone = index;
  command.level_db = level_db;
  command.fade_frames = mixer_.frames_for(static_cast<double>(fade.count()));
  command.sequence = ++sequence_;
  command.program = std::move(program).value().release();
  mixer_.apply(command);
  collect_retired();
  return std::nullopt;
}

std::optional<atmo::Error> OfflineRenderer::set_level(std::string_view zone, double level_db,
                                                      std::chrono::milliseconds fade) {
  const int index = mixer_.zone_index(zone);
  if (index < 0) return atmo::make_error("unknown audio zone '" + std::string(zone) + "'");
  if (std::isnan(level_db)) return atmo::make_error("level must be a number of dB");
  mixer_.apply({MixerCommand::Kind::SetLevel, index, level_db, mixer_.frames_for(static_cast<double>(fade.count())),
                ++sequence_, nullptr});
  return std::nullopt;
}

std::optional<atmo::Error> OfflineRenderer::fade_out(std::string_view zone, std::chrono::milliseconds fade) {
  const int index = mixer_.zone_index(zone);
  if (index < 0) return atmo::make_error("unknown audio zone '" + std::string(zone) + "'");
  mixer_.apply({MixerCommand::Kind::FadeOut, index, kSilenceDb, mixer_.frames_for(static_cast<double>(fade.count())),
                ++sequence_, nullptr});
  collect_retired();
  return std::nullopt;
}

std::optional<atmo::Error> OfflineRenderer::test_tone(std::string_view zone, double level_db, double frequency_hz,
                                                      std::chrono::milliseconds duration) {
  const int index = mixer_.zone_index(zone);
  if (index < 0) return atmo::make_error("unknown audio zone '" + std::string(zone) + "'");
  if (std::isnan(level_db) || std::isnan(frequency_hz)) return atmo::make_error("level and frequency must be numbers");
  MixerCommand command{MixerCommand::Kind::Tone, index, level_db, 0, ++sequence_, nullptr};
  command.duration_frames = mixer_.frames_for(static_cast<double>(duration.count()));
  command.frequency_hz = frequency_hz;
  mixer_.apply(command);
  return std::nullopt;
}

void OfflineRenderer::render(std::int64_t frames, std::vector<float>& out) {
  const int channels = settings_.output_channels;
  const std::size_t begin = out.size();
  out.resize(begin + static_cast<std::size_t>(frames) * static_cast<std::size_t>(channels));
  float* cursor = out.data() + begin;
  for (std::int64_t done = 0; done < frames;) {
    const int n = static_cast<int>(std::min<std::int64_t>(settings_.block_frames, frames - done));
    mixer_.render(cursor, n);
    gate_.process(cursor, n, channels, muted_);
    collect_retired();
    cursor += static_cast<std::ptrdiff_t>(n) * channels;
    done += n;
  }
}

std::vector<float> OfflineRenderer::render(std::int64_t frames) {
  std::vector<float> out;
  render(frames, out);
  return out;
}

void OfflineRenderer::collect_retired() {
  while (ZoneProgram* program = mixer_.take_retired()) delete program;
}

std::optional<atmo::Error> render_builtin_to_wav(std::string_view soundscape, double seconds, double level_db,
                                                 std::uint64_t seed, const std::string& path, double sample_rate) {
  auto spec = builtin_soundscape(soundscape, seed);
  if (!spec) {
    std::string names;
    for (const SoundscapeSpec& s : builtin_soundscapes()) names += (names.empty() ? "" : ", ") + s.id;
    return atmo::make_error("unknown soundscape '" + std::string(soundscape) + "'; built-in: " + names);
  }
  if (!(seconds > 0.0) || seconds > 3600.0) return atmo::make_error("seconds must be in (0, 3600]");
  if (!(level_db <= 0.0) || level_db < -100.0) return atmo::make_error("level must be between -100 and 0 dBFS");
  OfflineSettings settings;
  settings.sample_rate = sample_rate;
  settings.zones = {ZoneOutput{"render", 0, 2, 0.0}};
  OfflineRenderer renderer(settings);
  if (auto error = renderer.play("render", *spec, level_db, std::chrono::milliseconds(0))) return error;
  auto writer = WavWriter::open(path, static_cast<int>(sample_rate), 2);
  if (!writer) return writer.error();
  const auto total = static_cast<std::int64_t>(std::llround(seconds * sample_rate));
  std::vector<float> chunk;
  for (std::int64_t done = 0; done < total;) {
    const std::int64_t n = std::min<std::int64_t>(total - done, static_cast<std::int64_t>(sample_rate));
    chunk.clear();
    renderer.render(n, chunk);
    if (auto error = writer.value()->write(chunk)) return error;
    done += n;
  }
  return writer.value()->close();
}

}  // namespace atmo::audio
