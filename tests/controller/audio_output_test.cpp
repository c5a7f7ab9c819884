#include <catch2/catch.hpp>

#include "config/builtin_sounds.hpp"
#include "controller/audio_output.hpp"
#include "demo_fixture.hpp"
#include "drivers/audio/procedural_generators.hpp"

using namespace atmo;

TEST_CASE("the config knows exactly the audio engine's built-in sounds", "[audio_output]") {
  std::vector<std::string> engine_generators;
  for (const auto& g : audio::procedural_generators()) engine_generators.emplace_back(g.name);
  CHECK(config::builtin_generators() == engine_generators);

  std::vector<std::string> engine_soundscapes;
  for (const auto& s : audio::builtin_soundscapes()) engine_soundscapes.push_back(s.id);
  CHECK(config::builtin_soundscapes() == engine_soundscapes);
}

TEST_CASE("the venue's audio outputs become the engine's zone layout with each zone's cap", "[audio_output]") {
  auto venue = test::demo_venue();
  const auto settings = controller::audio_settings_for(*venue);
  CHECK(settings.output_channels == 8);
  CHECK(settings.sample_rate == 48000);
  REQUIRE(settings.zones.size() == 8);
  CHECK(settings.zones[3].zone == "lounge");
  CHECK(settings.zones[3].first_channel == 3);
  CHECK(settings.zones[3].channels == 1);
  CHECK(settings.zones[3].cap_db == -24);
  CHECK(settings.zones[6].zone == "hammam");
  CHECK(settings.zones[6].cap_db == -26);
}

TEST_CASE("soundscapes resolve from the venue first, then the built-ins", "[audio_output]") {
  auto demo = test::demo_venue();
  v1::Venue config = demo->config();
  auto* custom = config.add_soundscapes();
  custom->set_id("garden");
  auto* bed = custom->add_layers();
  bed->set_generator("wind");
  bed->set_gain_db(-6);
  auto* birds = custom->add_layers();
  birds->set_generator("bird");
  birds->set_one_shot(true);
  birds->mutable_interval_s()->set_min(4);
  birds->mutable_interval_s()->set_max(12);
  auto venue = zones::Venue::create(std::move(config));

  auto garden = controller::soundscape_for(*venue, "garden");
  REQUIRE(garden.ok());
  REQUIRE(garden->layers.size() == 2);
  CHECK(garden->layers[0].kind == audio::LayerKind::Bed);
  CHECK(garden->layers[0].gain_db == -6);
  CHECK(garden->layers[1].kind == audio::LayerKind::OneShot);
  CHECK(garden->layers[1].interval_max_s == 12);
  CHECK_FALSE(audio::validate_soundscape(*garden).has_value());
  CHECK(controller::soundscape_for(*venue, "sea").ok());
  CHECK(controller::soundscape_for(*venue, "disco").error().message == "unknown soundscape 'disco'");
}
