#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>

#include "drivers/audio/audio_engine.hpp"

using namespace atmo::audio;
using std::chrono::milliseconds;

// The engine's command API without a device (start() is not called, so PortAudio is untouched):
// bad input is refused up front with a message, and status reflects what was asked.
TEST_CASE("engine commands are validated before anything is queued", "[audio][engine]") {
  EngineSettings settings;
  settings.zones = {ZoneOutput{"lounge", 0, 2, -18.0}};
  AudioEngine engine(settings);
  CHECK(engine.status().state == EngineState::Stopped);

  auto error = engine.play("attic", *builtin_soundscape("rain"), -20.0, milliseconds(0));
  REQUIRE(error);
  CHECK_THAT(error->message, Catch::Contains("attic") && Catch::Contains("lounge"));
  CHECK(engine.set_level("attic", -20.0, milliseconds(0)));
  SoundscapeSpec broken{"broken", {}, 1};
  CHECK(engine.play("lounge", broken, -20.0, milliseconds(0)));

  REQUIRE_FALSE(engine.play("lounge", *builtin_soundscape("sea"), -20.0, milliseconds(1000)));
  const EngineStatus status = engine.status();
  REQUIRE(status.zones.size() == 1);
  CHECK(status.zones[0].soundscape == "sea");
  CHECK_FALSE(status.zones[0].loaded);  // nothing runs until start()
  CHECK(status.zones[0].cap_db == -18.0);
  engine.set_muted(true);
  CHECK(engine.status().muted);
}

TEST_CASE("an engine whose zones do not fit its channels is refused at construction", "[audio][engine]") {
  EngineSettings settings;
  settings.output_channels = 2;
  settings.zones = {ZoneOutput{"lounge", 0, 2, -18.0}, ZoneOutput{"hammam", 2, 1, -24.0}};
  CHECK_THROWS_AS(AudioEngine(settings), std::invalid_argument);
}
