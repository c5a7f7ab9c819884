// Scene planning: turns a zone scene into the output values the bus workers should reach, and
// applies the safety rules nothing overrides (fire alarm, audio cap, diffuser duty, scent-free
// windows). Pure functions: the controller calls them on its logic thread and logs the notes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zones/clock.hpp"
#include "zones/fade.hpp"
#include "zones/local_time.hpp"
#include "zones/result.hpp"
#include "zones/venue.hpp"

namespace atmo::zones {

inline constexpr double kDefaultAudioCapDb = -12.0;     ///< ZoneSafety.audio_cap_db when unset
inline constexpr double kDefaultScentMaxDuty = 50.0;    ///< ZoneSafety.scent_max_duty (%) when unset
inline constexpr TimeMs kDefaultSceneFadeMs = 3000;     ///< ZoneScene.fade_ms when 0

/// Who asked for a change and why; carried into every plan so the event log can say so.
struct ChangeCause {
  std::string who;  ///< "schedule", "user:anna", "api", "safety"
  std::string why;  ///< "program weekday, step 18:00", "manual choice on the tablet"
  TimeMs at = 0;    ///< when it took effect, if not now: a scheduled change a fast clock stepped past
};

/// One output and the value it should reach.
struct PointTarget {
  const Point* point = nullptr;
  double value = 0;
  FadeCurve curve = FadeCurve::linear;
  std::string source;  ///< the setting that asked for it: "light.level", "points[light.group2]"
};

/// What the audio engine should play in the zone.
struct SoundPlan {
  std::string soundscape;         ///< empty = silence
  std::optional<double> level_db; ///< already capped; unset = the engine's default, still under cap_db
  double cap_db = kDefaultAudioCapDb;  ///< the zone's hard cap, for the engine to enforce per sample block
  bool muted = false;             ///< fire alarm: silence until it clears
  TimeMs fade_ms = kDefaultSceneFadeMs;
};

/// Why a plan differs from what was asked: a safety rule, a clamp, a skipped output.
struct PlanNote {
  std::string rule;    ///< "fire_alarm", "audio_cap", "scent_max_duty", "scent_free", "range", "disabled"
  std::string target;  ///< point id, or "sound"
  std::string detail;  ///< for a person: "pause 30 s lengthened to 60 s: duty 66.7 % > max 50 %"
};

struct ScenePlan {
  std::string zone;
  std::string scene;  ///< zone scene id; "fire-alarm" for the override
  ChangeCause cause;
  TimeMs fade_ms = kDefaultSceneFadeMs;
  std::vector<PointTarget> points;  ///< at most one per point
  std::optional<SoundPlan> sound;   ///< unset: the scene leaves the zone's sound alone
  std::vector<PlanNote> notes;

  /// Return: the target for a full point id, or nullptr.
  const PointTarget* target(std::string_view point_id) const;
};

/// Translates a zone scene: light level to every QUANTITY_LIGHT_LEVEL output of the zone, cct to
/// LIGHT_CCT, red/green/blue/white, scent to SCENT_*, climate to TEMPERATURE/FLOOR_SETPOINT, then the
/// explicit `points` (which win over the settings for the same output). Values are clamped to the
/// point's range. No safety rules yet: pass the result through enforce_safety.
/// Errors: unknown zone, or an explicit point that is not an output of the zone.
Result<ScenePlan> plan_zone_scene(const Venue& venue, std::string_view zone, const v1::ZoneScene& scene,
                                  ChangeCause cause);

/// One plan per zone the venue scene names (zones it leaves alone get none), in journey order.
/// Errors: unknown venue scene, or any zone plan error.
Result<std::vector<ScenePlan>> plan_venue_scene(const Venue& venue, std::string_view venue_scene,
                                                const ChangeCause& cause);

/// The fire-alarm override for a zone: every light level and colour channel 100 %, diffusers off
/// (enable 0, intensity 0), audio muted, no fade.
ScenePlan fire_alarm_plan(const Venue& venue, std::string_view zone);

/// The effective limits of a zone, defaults applied.
double audio_cap_db(const v1::ZoneSafety& safety);
double scent_max_duty(const v1::ZoneSafety& safety);

struct DutyCycle {
  std::uint32_t work_s = 0;
  std::uint32_t pause_s = 0;
};
/// Return: the cycle with the pause lengthened (never the work shortened, so each burst stays as
/// strong as asked) until work / (work + pause) <= max_duty %. max_duty >= 100 changes nothing;
/// max_duty <= 0 is not a cycle: the caller turns the diffuser off.
DutyCycle clamp_duty(DutyCycle cycle, double max_duty_percent);

/// Return: the first scent-free window covering `zone` at local time `at`, or nullptr. A window
/// with from > to wraps past midnight and belongs to the weekday it starts on; from == to is all day.
/// Windows whose times do not parse are skipped (the validator reports them).
const v1::ScentFreeWindow* scent_free_window_at(const v1::Safety& safety, std::string_view zone,
                                                LocalClockTime at);

/// What the safety layer needs to know right now.
struct SafetyContext {
  bool fire_alarm = false;
  LocalClockTime local;  ///< venue local time, for scent-free windows
};

/// The only road from a plan to the outputs. Fire alarm active: returns the override plan (and notes
/// which scene it refused). Otherwise applies the zone's audio cap, the diffusers' maximum duty and
/// any scent-free window (scent forced off even if the scene does not mention scent).
ScenePlan enforce_safety(const Venue& venue, ScenePlan plan, const SafetyContext& context);

}  // namespace atmo::zones
