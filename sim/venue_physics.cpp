#include "sim/venue_physics.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "drivers/modbus/register_codec.hpp"

namespace atmo::sim {
namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

double approach(double value, double target, double dt_s, double tau_s) {
  return target + (value - target) * std::exp(-dt_s / tau_s);
}

double power_sum_db(std::initializer_list<double> levels) {
  double sum = 0;
  for (double l : levels) {
    if (std::isfinite(l)) sum += std::pow(10.0, l / 10.0);
  }
  return sum > 0 ? 10.0 * std::log10(sum) : 0.0;
}

std::uint64_t hash_string(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a: stable across runs and platforms
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// Where a freshly powered device's outputs stand before anyone writes them.
double initial_output(const zones::Point& point, const ZoneClimate& climate) {
  switch (point.quantity()) {
    case v1::QUANTITY_TEMPERATURE_SETPOINT: return climate.base_air_c;
    case v1::QUANTITY_FLOOR_SETPOINT: return climate.base_floor_c;
    case v1::QUANTITY_LIGHT_CCT: return 3000;
    case v1::QUANTITY_SCENT_INTENSITY: return 50;
    case v1::QUANTITY_SCENT_WORK: return 10;
    case v1::QUANTITY_SCENT_PAUSE: return 50;
    default: return 0;
  }
}

constexpr double kNoiseEventEveryS = 180;  // mean time between noise events (a door, chatter)
constexpr double kHumidityTauS = 900;
constexpr double kCo2TauS = 900;
constexpr double kLuxTauS = 0.5;           // lamps and their drivers settle within a second
constexpr double kWarmerTauS = 1200;
constexpr double kWarmerTargetC = 42;  // towel and bed warmers are set to 38-45 °C
constexpr double kOutdoorCo2Ppm = 420;
constexpr double kCo2PerGuestPpm = 150;

}  // namespace

ZoneClimate zone_climate(std::string_view zone_id) {
  std::string id(zone_id);
  std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  ZoneClimate c;
  if (contains(id, "hammam") || contains(id, "steam")) {
    c.base_air_c = 45;
    c.base_floor_c = 42;
    c.air_tau_s = 300;  // a steam generator heats a small tiled room fast
    c.humidity_pct = 95;
    c.max_lux = 150;
    c.ambient_dba = 45;  // steam outlets and dripping water
    c.max_occupancy = 6;
  } else if (contains(id, "sauna")) {
    c.base_air_c = 80;
    c.base_floor_c = 35;
    c.air_tau_s = 900;
    c.humidity_pct = 12;
    c.max_lux = 120;
    c.max_occupancy = 6;
  } else if (contains(id, "entrance") || contains(id, "reception") || contains(id, "lobby")) {
    c.daylight_lux = 120;
    c.ambient_dba = 42;
    c.humidity_pct = 40;
    c.max_lux = 500;
    c.max_occupancy = 3;
  } else if (contains(id, "treatment") || contains(id, "massage")) {
    c.base_air_c = 24;
    c.max_lux = 250;
    c.ambient_dba = 30;
    c.max_occupancy = 2;
  }
  return c;
}

double VenuePhysics::Rng::uniform() {
  // splitmix64: tiny, fast, and the same sequence on every platform (std distributions are not).
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

double VenuePhysics::Rng::gaussian() {
  const double u1 = 1.0 - uniform();  // (0, 1]
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

VenuePhysics::VenuePhysics(const zones::Venue& venue, std::vector<DeviceImage*> images, std::uint64_t seed)
    : venue_(venue), images_(std::move(images)), jitter_seed_(seed ^ 0xA5A5A5A5A5A5A5A5ull) {
  if (images_.size() != venue_.devices().size()) throw std::logic_error("one image per device expected");
  for (const auto& zone : venue_.zones()) {
    ZoneState z;
    z.id = zone.id();
    z.climate = zone_climate(zone.id());
    z.rng = Rng(seed ^ hash_string(zone.id()));
    z.air_c = z.climate.base_air_c;
    z.floor_c = z.climate.base_floor_c;
    z.humidity = z.climate.humidity_pct;
    z.co2 = kOutdoorCo2Ppm + 30;
    z.lux = z.climate.daylight_lux;
    z.noise_dba = z.climate.ambient_dba;
    z.next_occupancy_s = z.rng.uniform(60, 300);
    zones_.push_back(std::move(z));
  }
  for (const auto& point : venue_.points()) {
    const ZoneClimate climate = zone_climate(point.zone);
    if (point.output()) {
      (void)image_of(*point.device).set_value(point, initial_output(point, climate), true);
    } else if (point.quantity() == v1::QUANTITY_SCENT_CARTRIDGE) {
      cartridges_[&point] = 100;
    } else if (point.map->has_range()) {
      // Unmodelled inputs (fault codes, alarms) start at the bottom of their range: 0 in practice.
      (void)image_of(*point.device).set_value(point, std::max(0.0, point.map->range().min()), true);
    }
  }
  std::lock_guard lock(mutex_);
  write_inputs();
}

DeviceImage& VenuePhysics::image_of(const zones::Device& device) const {
  return *images_[static_cast<std::size_t>(&device - venue_.devices().data())];
}

std::optional<double> VenuePhysics::output(std::string_view zone, v1::Quantity quantity) const {
  double sum = 0;
  int n = 0;
  for (const auto* point : venue_.zone_points(zone, quantity)) {
    if (!point->output()) continue;
    auto v = image_of(*point->device).value(*point);
    if (v && std::isfinite(*v)) {
      sum += *v;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

VenuePhysics::Outputs VenuePhysics::read_outputs(const ZoneState& zone) const {
  Outputs out;
  out.setpoint = output(zone.id, v1::QUANTITY_TEMPERATURE_SETPOINT).value_or(zone.climate.base_air_c);
  out.floor_setpoint = output(zone.id, v1::QUANTITY_FLOOR_SETPOINT).value_or(out.setpoint + 2);
  if (auto level = output(zone.id, v1::QUANTITY_LIGHT_LEVEL)) {
    out.light_pct = *level;
  } else {
    // RGBW fixtures without a master level: the mean channel level is a fair brightness guess.
    double sum = 0;
    int n = 0;
    for (auto q : {v1::QUANTITY_LIGHT_RED, v1::QUANTITY_LIGHT_GREEN, v1::QUANTITY_LIGHT_BLUE,
                   v1::QUANTITY_LIGHT_WHITE}) {
      if (auto v = output(zone.id, q)) {
        sum += *v;
        ++n;
      }
    }
    out.light_pct = n > 0 ? sum / n : 0;
  }
  out.light_pct = std::clamp(out.light_pct, 0.0, 100.0);
  return out;
}

void VenuePhysics::step_zone(ZoneState& z, const Outputs& out, double dt) {
  const ZoneClimate& c = z.climate;
  z.air_c = approach(z.air_c, out.setpoint, dt, c.air_tau_s);
  z.floor_c = approach(z.floor_c, out.floor_setpoint, dt, c.floor_tau_s);
  z.warmer_c = approach(z.warmer_c, kWarmerTargetC, dt, kWarmerTauS);

  z.humidity = approach(z.humidity, c.humidity_pct, dt, kHumidityTauS) + 0.05 * std::sqrt(dt) * z.rng.gaussian();
  z.humidity = std::clamp(z.humidity, 0.0, 100.0);

  z.next_occupancy_s -= dt;
  if (z.next_occupancy_s <= 0) {
    z.occupancy = std::floor(z.rng.uniform(0, c.max_occupancy + 1));
    z.next_occupancy_s = z.rng.uniform(120, 600);
  }
  z.co2 = approach(z.co2, kOutdoorCo2Ppm + kCo2PerGuestPpm * z.occupancy, dt, kCo2TauS) +
          0.5 * std::sqrt(dt) * z.rng.gaussian();
  z.co2 = std::max(z.co2, kOutdoorCo2Ppm - 20);

  z.lux = approach(z.lux, out.light_pct / 100.0 * c.max_lux + c.daylight_lux, dt, kLuxTauS);

  if (z.event_left_s > 0) {
    z.event_left_s -= dt;
    if (z.event_left_s <= 0) z.event_db = 0;
  } else if (z.rng.uniform() < dt / kNoiseEventEveryS) {
    z.event_db = z.rng.uniform(8, 18);
    z.event_left_s = z.rng.uniform(2, 6);
  }
  const double sound = z.sound_db ? kSpeakerDbaAtFullScale + *z.sound_db : -INFINITY;
  const double event = z.event_db > 0 ? c.ambient_dba + z.event_db : -INFINITY;
  z.noise_dba = power_sum_db({c.ambient_dba, sound, event});
}

void VenuePhysics::drain_cartridges(double dt) {
  for (auto& [point, remaining] : cartridges_) {
    // The diffuser's own settings first, the zone's otherwise (a separate controller device).
    const auto setting = [&](v1::Quantity q) -> std::optional<double> {
      for (const auto* p : point->device->points) {
        if (p->quantity() == q && p->output()) {
          auto v = image_of(*p->device).value(*p);
          if (v) return *v;
        }
      }
      return output(point->zone, q);
    };
    const auto intensity = setting(v1::QUANTITY_SCENT_INTENSITY);
    const auto enabled = setting(v1::QUANTITY_SCENT_ENABLE);
    if (enabled ? *enabled == 0 : intensity.value_or(0) <= 0) continue;
    const double work = std::max(0.0, setting(v1::QUANTITY_SCENT_WORK).value_or(1));
    const double pause = std::max(0.0, setting(v1::QUANTITY_SCENT_PAUSE).value_or(0));
    const double duty = work + pause > 0 ? work / (work + pause) : 0;
    const double rate_pct_per_s = 100.0 / (kCartridgeLifeHours * 3600.0) * intensity.value_or(100) / 100.0 * duty;
    remaining = std::max(0.0, remaining - rate_pct_per_s * dt);
  }
}

double* VenuePhysics::state_of(const zones::Point& point) {
  if (point.output()) return nullptr;
  if (point.quantity() == v1::QUANTITY_SCENT_CARTRIDGE) {
    auto it = cartridges_.find(&point);
    return it == cartridges_.end() ? nullptr : &it->second;
  }
  auto zone = std::find_if(zones_.begin(), zones_.end(), [&](const ZoneState& z) { return z.id == point.zone; });
  if (zone == zones_.end()) return nullptr;
  switch (point.quantity()) {
    case v1::QUANTITY_AIR_TEMPERATURE: return &zone->air_c;
    case v1::QUANTITY_FLOOR_TEMPERATURE: return &zone->floor_c;
    case v1::QUANTITY_HUMIDITY: return &zone->humidity;
    case v1::QUANTITY_CO2: return &zone->co2;
    case v1::QUANTITY_ILLUMINANCE: return &zone->lux;
    case v1::QUANTITY_NOISE: return &zone->noise_dba;
    case v1::QUANTITY_WARMER_TEMPERATURE: return &zone->warmer_c;
    case v1::QUANTITY_OTHER:
    case v1::QUANTITY_UNSPECIFIED:
      // A sensor's own board temperature (CO2 sensors report one) reads like the room.
      return point.map->unit() == "°C" ? &zone->air_c : nullptr;
    default: return nullptr;
  }
}

void VenuePhysics::write_inputs() {
  for (const auto& point : venue_.points()) {
    double* state = state_of(point);
    if (state == nullptr) continue;
    // A little sensor noise, so a flat line in the UI is never mistaken for a frozen device.
    double jitter = 0;
    switch (point.quantity()) {
      case v1::QUANTITY_OTHER:
      case v1::QUANTITY_AIR_TEMPERATURE:
      case v1::QUANTITY_FLOOR_TEMPERATURE:
      case v1::QUANTITY_WARMER_TEMPERATURE: jitter = 0.02; break;
      case v1::QUANTITY_HUMIDITY: jitter = 0.1; break;
      case v1::QUANTITY_CO2: jitter = 2; break;
      case v1::QUANTITY_ILLUMINANCE: jitter = 0.005 * *state; break;
      case v1::QUANTITY_NOISE: jitter = 0.3; break;
      default: break;
    }
    // Drawn from (seed, time, point) rather than a stream, so the value at a given simulated time
    // does not depend on how many ticks it took to get there.
    Rng draw(jitter_seed_ ^ hash_string(point.id) ^ (static_cast<std::uint64_t>(elapsed_ms_) * 0x9E3779B97F4A7C15ull));
    const double value = *state + jitter * draw.uniform(-1, 1);
    (void)image_of(*point.device).set_value(point, value, true);
  }
}

void VenuePhysics::advance(TimeMs dt_ms) {
  if (dt_ms <= 0) return;
  std::lock_guard lock(mutex_);
  carry_ms_ += dt_ms;
  const TimeMs steps = carry_ms_ / kPhysicsStepMs;
  carry_ms_ -= steps * kPhysicsStepMs;
  if (steps == 0) return;
  const double dt = static_cast<double>(kPhysicsStepMs) / 1000.0;
  for (auto& zone : zones_) {
    const Outputs out = read_outputs(zone);
    for (TimeMs i = 0; i < steps; ++i) step_zone(zone, out, dt);
  }
  drain_cartridges(static_cast<double>(steps) * dt);
  elapsed_ms_ += steps * kPhysicsStepMs;
  write_inputs();
}

Result<double> VenuePhysics::force_input(const zones::Point& point, double value) {
  if (point.output()) return make_error(point.id + " is an output; write it like a client would");
  std::lock_guard lock(mutex_);
  auto stored = image_of(*point.device).set_value(point, value, false);
  if (!stored) return stored.error();
  if (double* state = state_of(point)) *state = *stored;
  return stored;
}

Result<double> VenuePhysics::set_sound_level(std::string_view zone, std::optional<double> level_db) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(zones_.begin(), zones_.end(), [&](const ZoneState& z) { return z.id == zone; });
  if (it == zones_.end()) return make_error("no zone '" + std::string(zone) + "' in this venue");
  if (level_db && (std::isnan(*level_db) || *level_db > 0)) {
    return make_error("sound level is in dBFS, -120..0 (or off)");
  }
  if (level_db && *level_db < -120) level_db.reset();  // -inf (muted) and below: inaudible
  it->sound_db = level_db;
  return level_db.value_or(-INFINITY);
}

std::optional<double> VenuePhysics::sound_level(std::string_view zone) const {
  std::lock_guard lock(mutex_);
  for (const auto& z : zones_) {
    if (z.id == zone) return z.sound_db;
  }
  return std::nullopt;
}

TimeMs VenuePhysics::elapsed_ms() const {
  std::lock_guard lock(mutex_);
  return elapsed_ms_;
}

}  // namespace atmo::sim
