#include <catch2/catch.hpp>

#include "drivers/audio/procedural_generators.hpp"
#include "drivers/audio/soundscape.hpp"

using namespace atmo::audio;

TEST_CASE("the five built-in soundscapes exist and are valid", "[audio][soundscape]") {
  for (const char* id : {"rain", "sea", "forest", "wind", "bowls"}) {
    const SoundscapeSpec* spec = builtin_soundscape(id);
    REQUIRE(spec != nullptr);
    CHECK(spec->id == id);
    CHECK_FALSE(validate_soundscape(*spec).has_value());
    bool has_one_shots = false;
    for (const LayerSpec& layer : spec->layers) has_one_shots |= layer.kind == LayerKind::OneShot;
    CHECK(has_one_shots);  // every built-in has events on top of its bed, not just a texture
  }
  CHECK(builtin_soundscapes().size() == 5);
  CHECK(builtin_soundscape("disco") == nullptr);
  CHECK_FALSE(builtin_soundscape("disco", 3).has_value());
  CHECK(builtin_soundscape("rain", 3)->seed == 3);
}

TEST_CASE("invalid soundscapes are rejected with a message that says what to fix", "[audio][soundscape]") {
  SoundscapeSpec spec{"custom", {LayerSpec{}}, 1};
  spec.layers[0].source = "rian";
  auto problem = validate_soundscape(spec);
  REQUIRE(problem);
  CHECK_THAT(*problem, Catch::Contains("unknown generator") && Catch::Contains("rain"));

  spec.layers[0].source = "bird";  // a one-shot generator in a bed layer
  problem = validate_soundscape(spec);
  REQUIRE(problem);
  CHECK_THAT(*problem, Catch::Contains("one-shot layer"));

  spec.layers[0] = LayerSpec{};
  spec.layers[0].kind = LayerKind::OneShot;
  spec.layers[0].source = "bird";
  spec.layers[0].interval_min_s = 5.0;
  spec.layers[0].interval_max_s = 2.0;
  problem = validate_soundscape(spec);
  REQUIRE(problem);
  CHECK_THAT(*problem, Catch::Contains("interval"));

  spec.layers[0].interval_max_s = 6.0;
  spec.layers[0].pan_min = -2.0;
  problem = validate_soundscape(spec);
  REQUIRE(problem);
  CHECK_THAT(*problem, Catch::Contains("pan"));

  spec.layers.clear();
  CHECK(validate_soundscape(spec).has_value());
}

TEST_CASE("every generator named in the registry can be built", "[audio][soundscape]") {
  for (const GeneratorInfo& info : procedural_generators()) {
    if (info.kind == GeneratorKind::Bed) {
      CHECK(make_procedural_bed(info.name, 1, 48000.0) != nullptr);
      CHECK(make_procedural_voice(info.name, 48000.0) == nullptr);
    } else {
      CHECK(make_procedural_voice(info.name, 48000.0) != nullptr);
      CHECK(make_procedural_bed(info.name, 1, 48000.0) == nullptr);
    }
  }
}
