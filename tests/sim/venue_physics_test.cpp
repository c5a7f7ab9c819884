// Physics of the simulator, driven by a ManualClock: no sockets, no threads, no waiting.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/simulator.hpp"
#include "sim_test_venue.hpp"
#include "zones/clock.hpp"

using namespace atmo;
using atmo::sim::Simulator;
using atmo::sim::SimulatorOptions;

namespace {

SimulatorOptions manual_options(std::uint64_t seed = 7) {
  SimulatorOptions o;
  o.tick_thread = false;
  o.seed = seed;
  return o;
}

double get(const Simulator& sim, const char* point) {
  auto v = sim.get(point);
  INFO(point << ": " << (v ? "" : v.error().message));
  REQUIRE(v.ok());
  return *v;
}

void advance(ManualClock& clock, Simulator& sim, TimeMs ms) {
  clock.advance(ms);
  sim.tick();
}

}  // namespace

TEST_CASE("air temperature approaches the zone's setpoint with the zone's time constant", "[sim][physics]") {
  ManualClock clock(1'700'000'000'000);
  Simulator sim(sim::test::make_test_venue(), clock, manual_options());
  const auto lounge = sim::zone_climate("lounge");
  const auto hammam = sim::zone_climate("hammam");
  REQUIRE(hammam.air_tau_s < lounge.air_tau_s);
  REQUIRE(hammam.base_air_c > lounge.base_air_c);

  // Freshly powered devices hold the zone's default setpoint and the room sits at it.
  CHECK(get(sim, "lounge.climate.setpoint") == Approx(lounge.base_air_c));
  CHECK(get(sim, "lounge.climate.temperature") == Approx(lounge.base_air_c).margin(0.05));
  CHECK(get(sim, "hammam.climate.temperature") == Approx(hammam.base_air_c).margin(0.05));

  REQUIRE(sim.set("lounge.climate.setpoint", 26).ok());
  REQUIRE(sim.set("hammam.climate.setpoint", 50).ok());
  const double start_lounge = lounge.base_air_c;
  const double start_hammam = hammam.base_air_c;

  // After one time constant 1 - 1/e of the step is done; after five, all but 0.7 %.
  advance(clock, sim, static_cast<TimeMs>(hammam.air_tau_s * 1000));
  CHECK(get(sim, "hammam.climate.temperature") ==
        Approx(50 + (start_hammam - 50) * std::exp(-1.0)).margin(0.05));
  advance(clock, sim, static_cast<TimeMs>((lounge.air_tau_s - hammam.air_tau_s) * 1000));
  CHECK(get(sim, "lounge.climate.temperature") == Approx(26 + (start_lounge - 26) * std::exp(-1.0)).margin(0.05));
  advance(clock, sim, static_cast<TimeMs>(4 * lounge.air_tau_s * 1000));
  CHECK(get(sim, "lounge.climate.temperature") == Approx(26 + (start_lounge - 26) * std::exp(-5.0)).margin(0.05));
}

TEST_CASE("speed multiplies simulated time", "[sim][physics]") {
  ManualClock clock(0);
  auto options = manual_options();
  options.speed = 60;
  Simulator sim(sim::test::make_test_venue(), clock, options);
  REQUIRE(sim.set("lounge.climate.setpoint", 26).ok());
  advance(clock, sim, 10'000);  // 10 s of clock = 10 simulated minutes = one time constant
  CHECK(sim.status().simulated_ms == 600'000);
  CHECK(get(sim, "lounge.climate.temperature") == Approx(26 - 4 * std::exp(-1.0)).margin(0.05));
}

TEST_CASE("a forced temperature is where the model continues from", "[sim][physics]") {
  ManualClock clock(0);
  Simulator sim(sim::test::make_test_venue(), clock, manual_options());
  auto forced = sim.set("lounge.climate.temperature", 30);
  REQUIRE(forced.ok());
  CHECK(*forced == Approx(30));
  CHECK(get(sim, "lounge.climate.temperature") == Approx(30));
  advance(clock, sim, 600'000);
  CHECK(get(sim, "lounge.climate.temperature") == Approx(22 + 8 * std::exp(-1.0)).margin(0.05));
}

TEST_CASE("a sensor's own temperature reading follows the room", "[sim][physics]") {
  ManualClock clock(0);
  Simulator sim(sim::test::make_test_venue(), clock, manual_options());
  REQUIRE(sim.set("lounge.climate.setpoint", 28).ok());
  advance(clock, sim, 3'600'000);
  CHECK(get(sim, "lounge.sensor.board") == Approx(get(sim, "lounge.climate.temperature")).margin(0.1));
}

TEST_CASE("floor temperature approaches the floor setpoint", "[sim][physics]") {
  ManualClock clock(0);
  Simulator sim(sim::test::make_test_venue(), clock, manual_options());
  const auto c = sim::zone_climate("lounge");
  CHECK(get(sim, "lounge.climate.floor") == Approx(c.base_floor_c).margin(0.05));
  REQUIRE(sim.set("lounge.climate.floor_setpoint", 28).ok());
  advance(clock, sim, static_cast<TimeMs>(c.floor_tau_s * 1000));
  CHECK(get(sim, "lounge.climate.floor") == Approx(28 + (c.base_floor_c - 28) * std::exp(-1.0)).margin(0.05));
}

TEST_CASE("illuminance follows the light level, plus daylight at the entrance", "[sim][physics]") {
  ManualClock clock(0);
  Simulator sim(sim::test::make_test_venue(), clock, manual_options());
  const auto lounge = sim::zone_climate("lounge");
  const auto entrance = sim::zone_climate("entrance");
  REQUIRE(entrance.daylight_lux > 0);
  REQUIRE(lounge.daylight_lux == 0);

  CHECK(get(sim, "lounge.light.lux") == Approx(0).margin(0.5));
  CHECK(get(sim, "entrance.light.lux") == Approx(entrance.daylight_lux).epsilon(0.01));

  for (double level : {50.0, 100.0, 10.0, 0.0}) {
    REQUIRE(sim.set("lounge.light.level", level).ok());
    REQUIRE(sim.set("entrance.light.level", level).ok());
    REQUIRE(sim.set("entrance.panel.level", level).ok());  // the zone's second light group
    advance(clock, sim, 5'000);
    INFO("level " << level);
    CHECK(get(sim, "lounge.light.lux") == Approx(level / 100 * lounge.max_lux).epsilon(0.01).margin(0.5));
    CHECK(get(sim, "entrance.light.lux") ==
          Approx(level / 100 * entrance.max_lux + entrance.daylight_lux).epsilon(0.01));
  }
  // Two light groups at different levels light the zone like their mean.
  REQUIRE(sim.set("entrance.light.level", 80).ok());
  advance(clock, sim, 5'000);
  CHECK(get(sim, "entrance.light.lux") == Approx(0.4 * entrance.max_lux + entrance.daylight_lux).epsilon(0.01));
}

TEST_CASE("a diffuser's cartridge drains by intensity and duty cycle, only while enabled", "[sim][physics]") {
  ManualClock clock(0);
  Simulator sim(sim::test::make_test_venue(), clock, manual_options());
  CHECK(get(sim, "lounge.scent.cartridge") == Approx(100));
  advance(clock, sim, 10 * 3'600'000);
  CHECK(get(sim, "lounge.scent.cartridge") == Approx(100));  // disabled: nothing used

  REQUIRE(sim.set("lounge.scent.enable", 1).ok());
  REQUIRE(sim.set("lounge.scent.intensity", 80).ok());
  REQUIRE(sim.set("lounge.scent.work", 10).ok());
  REQUIRE(sim.set("lounge.scent.pause", 30).ok());
  advance(clock, sim, 20 * 3'600'000);
  // 20 h at 80 % intensity and a quarter of the time on; a full cartridge lasts kCartridgeLifeHours.
  const double expected = 100 - 100 * 20 / sim::kCartridgeLifeHours * 0.8 * 0.25;
  CHECK(get(sim, "lounge.scent.cartridge") == Approx(expected).margin(0.06));

  REQUIRE(sim.set("lounge.scent.enable", 0).ok());
  advance(clock, sim, 20 * 3'600'000);
  CHECK(get(sim, "lounge.scent.cartridge") == Approx(expected).margin(0.06));
}

TEST_CASE("noise follows the soundscape level and has occasional events", "[sim][physics]") {
  ManualClock clock(0);
  Simulator sim(sim::test::make_test_venue(), clock, manual_options());
  const auto c = sim::zone_climate("lounge");
  const auto sample_minutes = [&](int minutes) {
    std::vector<double> samples;
    for (int i = 0; i < minutes * 60; ++i) {
      advance(clock, sim, 1000);
      samples.push_back(get(sim, "lounge.sensor.noise"));
    }
    std::sort(samples.begin(), samples.end());
    return samples;
  };

  auto quiet = sample_minutes(30);
  CHECK(quiet[quiet.size() / 2] == Approx(c.ambient_dba).margin(0.3));
  CHECK(quiet.back() > c.ambient_dba + 5);  // at least one event in half an hour

  REQUIRE(sim.set_sound_level("lounge", -30).ok());
  auto playing = sample_minutes(10);
  const double expected = 10 * std::log10(std::pow(10, c.ambient_dba / 10) +
                                           std::pow(10, (sim::kSpeakerDbaAtFullScale - 30) / 10));
  CHECK(playing[playing.size() / 2] == Approx(expected).margin(0.3));

  REQUIRE(sim.set_sound_level("lounge", std::nullopt).ok());
  auto off = sample_minutes(5);
  CHECK(off[off.size() / 2] == Approx(c.ambient_dba).margin(0.3));

  CHECK_FALSE(sim.set_sound_level("nowhere", -20).ok());
  CHECK_FALSE(sim.set_sound_level("lounge", 10).ok());
  CHECK_FALSE(sim.set_sound_level("lounge", std::nan("")).ok());
  REQUIRE(sim.set_sound_level("lounge", -30).ok());
  REQUIRE(sim.set_sound_level("lounge", -INFINITY).ok());  // how a muted output reports itself
  auto muted = sample_minutes(5);
  CHECK(muted[muted.size() / 2] == Approx(c.ambient_dba).margin(0.3));
}

TEST_CASE("humidity and CO2 drift around the zone's character", "[sim][physics]") {
  ManualClock clock(0);
  Simulator sim(sim::test::make_test_venue(), clock, manual_options());
  double co2_min = 1e9;
  double co2_max = 0;
  for (int i = 0; i < 6 * 60; ++i) {  // six hours, a sample a minute
    advance(clock, sim, 60'000);
    const double co2 = get(sim, "lounge.climate.co2");
    co2_min = std::min(co2_min, co2);
    co2_max = std::max(co2_max, co2);
    REQUIRE(get(sim, "hammam.climate.humidity") == Approx(sim::zone_climate("hammam").humidity_pct).margin(5));
    REQUIRE(get(sim, "lounge.climate.humidity") == Approx(sim::zone_climate("lounge").humidity_pct).margin(5));
  }
  CHECK(co2_min >= 400);
  CHECK(co2_max > co2_min + 100);  // guests come and go
  CHECK(co2_max < 420 + 150 * (sim::zone_climate("lounge").max_occupancy + 1));
}

TEST_CASE("the fire alarm input holds what it is set to", "[sim][physics]") {
  ManualClock clock(0);
  Simulator sim(sim::test::make_test_venue(), clock, manual_options());
  CHECK(get(sim, "entrance.fire.alarm") == 0);
  REQUIRE(sim.set("entrance.fire.alarm", 1).ok());
  advance(clock, sim, 3'600'000);
  CHECK(get(sim, "entrance.fire.alarm") == 1);
  REQUIRE(sim.set("entrance.fire.alarm", 0).ok());
  CHECK(get(sim, "entrance.fire.alarm") == 0);
}

TEST_CASE("bit fields in a register are set on their own", "[sim][physics]") {
  ManualClock clock(0);
  Simulator sim(sim::test::make_test_venue(), clock, manual_options());
  REQUIRE(sim.set("lounge.climate.heating", 1).ok());
  CHECK(get(sim, "lounge.climate.heating") == 1);
  CHECK(get(sim, "lounge.climate.fault") == 0);  // a neighbouring register is untouched
}

TEST_CASE("the same seed gives the same run, however the time is cut into ticks", "[sim][physics]") {
  const auto run = [](std::uint64_t seed, TimeMs tick_ms) {
    ManualClock clock(0);
    Simulator sim(sim::test::make_test_venue(), clock, manual_options(seed));
    REQUIRE(sim.set("lounge.climate.setpoint", 25).ok());
    REQUIRE(sim.set_sound_level("lounge", -25).ok());
    for (TimeMs t = 0; t < 3'600'000; t += tick_ms) advance(clock, sim, tick_ms);
    std::vector<double> values;
    for (const auto& p : sim.venue().points()) values.push_back(*sim.get(p.id));
    return values;
  };
  const auto a = run(42, 1000);
  CHECK(run(42, 1000) == a);
  CHECK(run(42, 60'000) == a);
  CHECK(run(43, 1000) != a);
}

TEST_CASE("set refuses values a device would not hold, and names what exists", "[sim][physics]") {
  ManualClock clock(0);
  Simulator sim(sim::test::make_test_venue(), clock, manual_options());
  auto out_of_range = sim.set("lounge.climate.setpoint", 99);
  REQUIRE_FALSE(out_of_range.ok());
  CHECK_THAT(out_of_range.error().message, Catch::Contains("5..60"));
  CHECK(get(sim, "lounge.climate.setpoint") == Approx(22));

  auto unknown = sim.get("lounge.climate.tempreature");
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("lounge.climate.temperature"));

  CHECK_FALSE(sim.set_fault("lounge.nothing", {}).ok());
  CHECK_FALSE(sim.set_bus_up("main", false).ok());  // not started: nothing served
}
