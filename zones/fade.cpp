#include "zones/fade.hpp"

#include <algorithm>
#include <cmath>

namespace atmo::zones {
namespace {

// CIE 1976: L* = 116 f(Y) - 16 with f(Y) = cbrt(Y) above (6/29)^3 and a linear segment below, so
// the curve has no infinite slope at black (dimmers near 0 % stay controllable).
constexpr double kEpsilon = 216.0 / 24389.0;  // (6/29)^3
constexpr double kKappa = 24389.0 / 27.0;     // (29/3)^3

}  // namespace

std::string_view to_string(FadeCurve curve) {
  switch (curve) {
    case FadeCurve::linear: return "linear";
    case FadeCurve::perceptual: return "perceptual";
    case FadeCurve::mired: return "mired";
    case FadeCurve::step: return "step";
  }
  return "linear";
}

FadeCurve fade_curve_for(v1::Quantity quantity) {
  switch (quantity) {
    case v1::QUANTITY_LIGHT_LEVEL: return FadeCurve::perceptual;
    case v1::QUANTITY_LIGHT_CCT: return FadeCurve::mired;
    case v1::QUANTITY_LIGHT_RED:
    case v1::QUANTITY_LIGHT_GREEN:
    case v1::QUANTITY_LIGHT_BLUE:
    case v1::QUANTITY_LIGHT_WHITE:
    case v1::QUANTITY_SCENT_INTENSITY:
    case v1::QUANTITY_SOUND_LEVEL: return FadeCurve::linear;
    default: return FadeCurve::step;  // switches, cycle times and setpoints: no in-between values
  }
}

double lightness_from_level(double level_percent) {
  const double y = std::clamp(level_percent, 0.0, 100.0) / 100.0;
  return y > kEpsilon ? 116.0 * std::cbrt(y) - 16.0 : kKappa * y;
}

double level_from_lightness(double lightness) {
  const double l = std::clamp(lightness, 0.0, 100.0);
  const double y = l > kKappa * kEpsilon ? std::pow((l + 16.0) / 116.0, 3.0) : l / kKappa;
  return y * 100.0;
}

double interpolate(FadeCurve curve, double from, double to, double fraction) {
  const double f = std::clamp(fraction, 0.0, 1.0);
  if (f >= 1.0) return to;
  switch (curve) {
    case FadeCurve::step: return to;
    case FadeCurve::perceptual: {
      const double a = lightness_from_level(from);
      const double b = lightness_from_level(to);
      return level_from_lightness(a + (b - a) * f);
    }
    case FadeCurve::mired:
      if (from > 0 && to > 0) {
        const double a = 1e6 / from;
        const double b = 1e6 / to;
        return 1e6 / (a + (b - a) * f);
      }
      break;
    case FadeCurve::linear: break;
  }
  return from + (to - from) * f;
}

double PointFade::value_at(TimeMs t) const {
  if (t < start) return from;
  if (done(t) || curve == FadeCurve::step) return to;
  const double fraction = static_cast<double>(t - start) / static_cast<double>(duration);
  return interpolate(curve, from, to, fraction);
}

bool PointFade::done(TimeMs t) const { return duration <= 0 ? t >= start : t >= start + duration; }

PointFade PointFade::hold(double value, TimeMs t, FadeCurve curve) {
  return PointFade{value, value, t, 0, curve};
}

PointFade PointFade::retarget(double target, TimeMs t, TimeMs new_duration, FadeCurve new_curve) const {
  return PointFade{value_at(t), target, t, std::max<TimeMs>(new_duration, 0), new_curve};
}

}  // namespace atmo::zones
