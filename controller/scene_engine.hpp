// The scene engine: holds which scene each zone should show, and makes the outputs get there.
// It never "sends commands": every tick it re-plans each zone's scene through the safety layer
// (fire alarm, audio cap, diffuser duty, scent-free windows) and moves each output along its fade,
// handing the value of the moment to the buses as the desired state. A new scene mid-fade starts
// from where the outputs are. Runs on the controller thread only.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "controller/event_bus.hpp"
#include "zones/clock.hpp"
#include "zones/fade.hpp"
#include "zones/result.hpp"
#include "zones/scene_plan.hpp"
#include "zones/schedule.hpp"
#include "zones/venue.hpp"

namespace atmo::controller {

/// Whether a value is sent when it is believed to be on the device already.
enum class Delivery {
  when_changed,  ///< only when it differs from the value last sent: the normal case
  always,        ///< again: the device may not hold it any more (changed by hand, power-cycled),
                 ///< and the fire alarm cannot wait for a read-back to notice
};

/// Where output values go: the Modbus device set in the daemon.
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  /// Errors: the value cannot be written to that point (range, encoding).
  virtual Status set_output(const zones::Point& point, double value, Delivery delivery) = 0;
};

/// Where a zone's sound goes: the audio engine in the daemon.
class SoundSink {
 public:
  virtual ~SoundSink() = default;
  virtual void set_sound(std::string_view zone, const zones::SoundPlan& sound) = 0;
};

/// How long a manual choice holds against the schedule.
struct Hold {
  enum class Kind { none, until_next_change, until_time };
  Kind kind = Kind::none;
  TimeMs until = 0;  ///< for until_time
  TimeMs set_at = 0;
};

/// A technician's diagnostic write to one output, past the zone's scene: it holds until the zone's
/// next scene change (which restores every output) or a safety rule that needs the output (the fire
/// alarm, a scent-free window opening). Kept by point id.
struct ManualOverride {
  std::string zone;
  double value = 0;
  std::string who;
  TimeMs since = 0;
};

/// Why SceneEngine::write_manual did not write: the API answers 409 for a safety rule, 400 else.
struct ManualWriteRefusal {
  bool by_safety_rule = false;
  std::string message;
};

struct ZoneState {
  std::string scene;          ///< the zone scene asked for (shown once the fire alarm clears)
  zones::ChangeCause cause;
  TimeMs since = 0;
  TimeMs fade_ms = 0;
  Hold hold;
};

class SceneEngine {
 public:
  SceneEngine(std::shared_ptr<const zones::Venue> venue, const Clock& clock, const zones::Schedule& calendar,
              OutputSink& outputs, SoundSink& sound, EventBus& events);

  /// Shows `scene` in `zone`, fading from the current values. `hold` marks a manual choice.
  /// Errors: unknown zone or scene; fire alarm active (scene changes are refused until it clears).
  Status apply_zone_scene(std::string_view zone, std::string_view scene, const zones::ChangeCause& cause,
                          Hold hold = {});
  /// Applies the zone scene a venue scene picks for every zone it names (and `include` accepts).
  /// Errors: unknown venue scene; fire alarm active.
  Status apply_venue_scene(std::string_view venue_scene, const zones::ChangeCause& cause, Hold hold = {},
                           const std::function<bool(std::string_view zone)>& include = {});

  /// The fire-alarm override: lights full, audio muted, diffusers off, at once; cleared, every zone
  /// fades back to the scene it was asked to show.
  void set_fire_alarm(bool active, const std::string& why);
  bool fire_alarm() const { return fire_alarm_; }

  /// Advances fades and re-applies the safety layer (scent-free windows begin and end by time).
  /// Called every `tick_ms` (set_tick); 250 ms unless told otherwise.
  void tick();
  void set_tick(TimeMs tick_ms) { tick_ms_ = tick_ms; }

  /// The last value an output was seen at (its read-back), so the first fade after start-up
  /// starts from the device's real state instead of jumping.
  void note_output_reading(const zones::Point& point, double value);

  /// A diagnostic write of one output (the API's point write): sent at once, even if the bus
  /// believes the device holds it, and held against the zone's fades until its next scene change.
  /// Return: nothing when written; else why not, with `by_safety_rule` set when a rule in force
  /// decides that output (the fire alarm, a scent-free window, the diffuser duty limit) rather than
  /// the write being wrong (not an output, disabled, out of range or not encodable).
  std::optional<ManualWriteRefusal> write_manual(const zones::Point& point, double value, const std::string& who);
  const std::map<std::string, ManualOverride, std::less<>>& overrides() const { return overrides_; }

  void release_hold(std::string_view zone);
  const ZoneState* zone_state(std::string_view zone) const;
  const std::map<std::string, ZoneState, std::less<>>& zone_states() const { return zones_; }
  /// The value the engine currently asks of an output, if it drives it.
  std::optional<double> output_value(std::string_view point_id) const;
  /// The sound plan currently in force in a zone.
  std::optional<zones::SoundPlan> sound(std::string_view zone) const;

  /// The zone scenes, causes and holds as JSON, for the restart state.
  std::string snapshot_json() const;
  /// Restores a snapshot (zones and scenes that no longer exist are skipped) and re-plans.
  /// Errors: the text is not a snapshot.
  Status restore_json(std::string_view json);

 private:
  struct OutputState {
    zones::PointFade fade;
    std::optional<double> last_sent;
  };

  Status check_not_in_alarm() const;
  Status check_safe_to_hold(const zones::Point& point, double value, TimeMs now) const;
  void end_override(const std::string& point_id, const std::string& why);
  /// `restore`: a scene change, which sends again every output whose read-back left the value sent.
  void reconcile_zone(const std::string& zone, bool scene_change, Delivery delivery = Delivery::when_changed,
                      bool restore = false);
  void drive(const zones::Point& point, OutputState& state, TimeMs now, Delivery delivery = Delivery::when_changed);
  zones::SafetyContext safety_context(TimeMs now) const;
  void publish_scene_event(const std::string& zone, const ZoneState& before, const ZoneState& after,
                           const zones::ScenePlan& plan);

  std::shared_ptr<const zones::Venue> venue_;
  const Clock& clock_;
  const zones::Schedule& calendar_;
  OutputSink& outputs_;
  SoundSink& sound_;
  EventBus& events_;

  std::map<std::string, ZoneState, std::less<>> zones_;
  std::map<std::string, OutputState, std::less<>> outputs_state_;
  std::map<std::string, double, std::less<>> observed_;  ///< last read-back of each output
  std::map<std::string, zones::SoundPlan, std::less<>> sound_state_;
  std::map<std::string, std::string, std::less<>> failed_outputs_;  ///< point -> last error (logged once)
  std::map<std::string, ManualOverride, std::less<>> overrides_;    ///< point -> diagnostic write in force
  bool fire_alarm_ = false;
  TimeMs tick_ms_ = 250;
};

}  // namespace atmo::controller
