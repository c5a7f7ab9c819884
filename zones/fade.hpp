// Fades: how an output point moves from one value to another over time. Light level moves in
// perceived brightness (CIE L*), colour temperature in mireds, everything else linearly, so a
// scene change looks smooth and a new scene mid-fade starts from where the output is now.
#pragma once

#include <string_view>

#include "config/atmo.pb.h"
#include "zones/clock.hpp"

namespace atmo::zones {

enum class FadeCurve {
  linear,      ///< straight line in the value itself (scent intensity, colour channels)
  perceptual,  ///< straight line in CIE L* lightness of a 0..100 % light level
  mired,       ///< straight line in mireds (1e6 / K) of a colour temperature in K
  step,        ///< jumps to the target at the start (switches, setpoints, diffuser work/pause)
};

std::string_view to_string(FadeCurve curve);

/// The curve an output of `quantity` fades along.
FadeCurve fade_curve_for(v1::Quantity quantity);

/// CIE 1976 L* (0..100) of a light level in % of full output (relative luminance).
double lightness_from_level(double level_percent);
/// Inverse of lightness_from_level: the level in % that looks `lightness` (0..100) bright.
double level_from_lightness(double lightness);

/// Value `fraction` (clamped to 0..1) of the way from `from` to `to` along `curve`.
/// Colour temperatures at or below 0 K fall back to linear, since mireds do not exist for them.
double interpolate(FadeCurve curve, double from, double to, double fraction);

/// One output moving to a target. A plain value: copy it, store it, restore it.
struct PointFade {
  double from = 0;
  double to = 0;
  TimeMs start = 0;
  TimeMs duration = 0;  ///< ms; 0 or less means "jump at start"
  FadeCurve curve = FadeCurve::linear;

  /// Return: `from` before start, `to` once done, the curve value in between.
  double value_at(TimeMs t) const;
  /// Return: true once t is at or past start + duration.
  bool done(TimeMs t) const;

  /// A fade that holds `value` from `t` on (a point at rest).
  static PointFade hold(double value, TimeMs t, FadeCurve curve = FadeCurve::linear);
  /// The fade to `target` that starts at `t` from wherever this fade is at `t`: retargeting
  /// mid-fade never jumps.
  PointFade retarget(double target, TimeMs t, TimeMs new_duration, FadeCurve new_curve) const;
};

}  // namespace atmo::zones
