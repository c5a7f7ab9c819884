// The simulator's physics: what the venue's sensors would measure given what atmo drives. Air and
// floor temperature approach their setpoints with a time constant, lux follows the light level,
// noise follows the soundscape level plus occasional events, humidity and CO2 drift, diffuser
// cartridges drain while running. Deterministic for a seed and a sequence of advance() calls.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/device_image.hpp"
#include "zones/clock.hpp"
#include "zones/result.hpp"
#include "zones/venue.hpp"

namespace atmo::sim {

/// How a kind of room behaves, chosen from the zone id ("hammam", "sauna", "entrance", ...).
struct ZoneClimate {
  double base_air_c = 22;        ///< air temperature without a setpoint, and the default setpoint
  double base_floor_c = 24;
  double air_tau_s = 600;        ///< time constant of the air temperature towards its setpoint
  double floor_tau_s = 1800;
  double humidity_pct = 45;      ///< humidity the zone drifts towards
  double max_lux = 400;          ///< illuminance at light level 100 %
  double daylight_lux = 0;       ///< added regardless of the lights (windows)
  double ambient_dba = 35;       ///< noise floor without soundscape (ventilation, water)
  int max_occupancy = 4;         ///< guests at once, drives CO2
};

ZoneClimate zone_climate(std::string_view zone_id);

/// Room level of a soundscape played at 0 dBFS; a level of -30 dBFS is heard at 55 dBA.
inline constexpr double kSpeakerDbaAtFullScale = 85;
/// Hours a full cartridge lasts at intensity 100 % running without pause.
inline constexpr double kCartridgeLifeHours = 200;
/// Physics integrates in steps of this much simulated time, so results depend only on the total
/// time advanced, not on how the ticks were cut.
inline constexpr TimeMs kPhysicsStepMs = 250;

/// Thread-safe: mutex_ guards the model state; it locks device images only while holding mutex_
/// (lock order physics -> image; images never call back), so it may be used from the tick thread
/// and from control calls at once.
class VenuePhysics {
 public:
  /// `images[i]` is the image of venue.devices()[i]. Writes initial outputs and inputs.
  VenuePhysics(const zones::Venue& venue, std::vector<DeviceImage*> images, std::uint64_t seed);

  /// Advances simulated time by `dt_ms`: reads the outputs from the images, integrates, writes the
  /// inputs back (clamped to each point's range, as a saturated sensor reads).
  void advance(TimeMs dt_ms);

  /// Forces a measured point to `value`, e.g. the fire alarm, or a temperature the model then
  /// continues from. Errors: the point is an output, or the value does not fit the point.
  Result<double> force_input(const zones::Point& point, double value);

  /// The soundscape level a zone plays (dBFS), or nullopt for silence. Sound is not on a bus, so
  /// the controller (or a test) tells the simulator. Levels below -120 dBFS (-inf too) are
  /// silence. Errors: unknown zone, a level above 0 dBFS, NaN.
  Result<double> set_sound_level(std::string_view zone, std::optional<double> level_db);
  std::optional<double> sound_level(std::string_view zone) const;

  /// Simulated milliseconds advanced so far.
  TimeMs elapsed_ms() const;

 private:
  class Rng {
   public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    double uniform();                    // [0, 1)
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    double gaussian();                   // mean 0, sd 1
   private:
    std::uint64_t state_;
  };

  struct ZoneState {
    std::string id;
    ZoneClimate climate;
    Rng rng{0};
    double air_c = 22;
    double floor_c = 24;
    double humidity = 45;
    double co2 = 450;
    double lux = 0;
    double warmer_c = 55;
    double occupancy = 0;
    double next_occupancy_s = 0;
    double event_db = 0;                 // extra dB of a noise event in progress
    double event_left_s = 0;
    double noise_dba = 35;
    std::optional<double> sound_db;
  };

  struct Outputs {  // what the zone's devices are told to do, read once per advance()
    double setpoint = 22;
    double floor_setpoint = 24;
    double light_pct = 0;
  };

  DeviceImage& image_of(const zones::Device& device) const;
  std::optional<double> output(std::string_view zone, v1::Quantity quantity) const;
  Outputs read_outputs(const ZoneState& zone) const;
  void step_zone(ZoneState& zone, const Outputs& out, double dt_s);
  void drain_cartridges(double dt_s);
  void write_inputs();
  double* state_of(const zones::Point& point);  // the model variable a point measures, if any

  const zones::Venue& venue_;
  std::vector<DeviceImage*> images_;

  mutable std::mutex mutex_;  ///< protects zones_, cartridges_, carry_ms_, elapsed_ms_
  std::vector<ZoneState> zones_;
  std::map<const zones::Point*, double> cartridges_;  // % remaining per cartridge point
  TimeMs carry_ms_ = 0;
  TimeMs elapsed_ms_ = 0;
  const std::uint64_t jitter_seed_;
};

}  // namespace atmo::sim
