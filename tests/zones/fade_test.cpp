#include <catch2/catch.hpp>

#include "zones/fade.hpp"

using namespace atmo;
using namespace atmo::zones;

TEST_CASE("perceptual light fade: the midpoint is half the perceived brightness, not 50 %", "[fade]") {
  // CIE L* 50 is a relative luminance of ((50 + 16) / 116)^3 = 18.42 %.
  PointFade f{0, 100, 1000, 2000, FadeCurve::perceptual};
  CHECK(f.value_at(2000) == Approx(18.42).margin(0.01));
  CHECK(lightness_from_level(f.value_at(2000)) == Approx(50).margin(1e-9));
  CHECK(f.value_at(0) == 0);
  CHECK(f.value_at(1000) == 0);
  CHECK(f.value_at(3000) == 100);
  CHECK(f.value_at(99999) == 100);
  // Dimming down mirrors it.
  PointFade down{100, 0, 0, 1000, FadeCurve::perceptual};
  CHECK(down.value_at(500) == Approx(18.42).margin(0.01));
}

TEST_CASE("lightness and level are inverse, including the linear segment near black", "[fade]") {
  for (double level : {0.0, 0.05, 0.5, 0.8856, 1.0, 10.0, 18.42, 50.0, 99.0, 100.0}) {
    CHECK(level_from_lightness(lightness_from_level(level)) == Approx(level).margin(1e-9));
  }
  CHECK(lightness_from_level(100) == Approx(100));
  CHECK(lightness_from_level(-5) == 0);  // clamped
}

TEST_CASE("CCT fade is linear in mireds: the midpoint of 2700 -> 4000 K is 3224 K", "[fade]") {
  // 1e6/2700 = 370.37 mired, 1e6/4000 = 250 mired, midpoint 310.19 mired = 3223.9 K (the harmonic
  // mean 2*2700*4000/6700), not the 3350 K of a linear fade in kelvin.
  PointFade f{2700, 4000, 0, 10000, FadeCurve::mired};
  CHECK(f.value_at(5000) == Approx(3223.88).margin(0.01));
  CHECK(1e6 / f.value_at(2500) == Approx(1e6 / 2700 - (1e6 / 2700 - 250) / 4).margin(1e-6));
  CHECK(f.value_at(10000) == 4000);
}

TEST_CASE("linear and step fades", "[fade]") {
  PointFade scent{0, 60, 0, 3000, FadeCurve::linear};
  CHECK(scent.value_at(1000) == Approx(20));
  CHECK(scent.value_at(1500) == Approx(30));
  CHECK_FALSE(scent.done(2999));
  CHECK(scent.done(3000));
  PointFade sw{0, 1, 100, 3000, FadeCurve::step};
  CHECK(sw.value_at(99) == 0);
  CHECK(sw.value_at(100) == 1);
  PointFade instant{10, 20, 100, 0, FadeCurve::linear};
  CHECK(instant.value_at(99) == 10);
  CHECK(instant.value_at(100) == 20);
  CHECK(instant.done(100));
}

TEST_CASE("a new target mid-fade starts from the current value", "[fade]") {
  PointFade f{0, 100, 0, 4000, FadeCurve::linear};
  const double at_1s = f.value_at(1000);
  REQUIRE(at_1s == Approx(25));
  PointFade g = f.retarget(0, 1000, 2000, FadeCurve::linear);
  CHECK(g.from == Approx(25));
  CHECK(g.value_at(1000) == Approx(25));  // no jump at the switch
  CHECK(g.value_at(2000) == Approx(12.5));
  CHECK(g.value_at(3000) == 0);

  PointFade light{0, 100, 0, 4000, FadeCurve::perceptual};
  const double now = light.value_at(1500);
  PointFade light2 = light.retarget(40, 1500, 1000, FadeCurve::perceptual);
  CHECK(light2.value_at(1500) == Approx(now));
  CHECK(light2.value_at(2500) == 40);
}

TEST_CASE("each quantity fades along its curve", "[fade]") {
  CHECK(fade_curve_for(v1::QUANTITY_LIGHT_LEVEL) == FadeCurve::perceptual);
  CHECK(fade_curve_for(v1::QUANTITY_LIGHT_CCT) == FadeCurve::mired);
  CHECK(fade_curve_for(v1::QUANTITY_SCENT_INTENSITY) == FadeCurve::linear);
  CHECK(fade_curve_for(v1::QUANTITY_LIGHT_RED) == FadeCurve::linear);
  CHECK(fade_curve_for(v1::QUANTITY_SCENT_ENABLE) == FadeCurve::step);
  CHECK(fade_curve_for(v1::QUANTITY_TEMPERATURE_SETPOINT) == FadeCurve::step);
  CHECK(interpolate(FadeCurve::mired, 0, 4000, 0.5) == Approx(2000));  // no mireds at 0 K: linear
}
