// The venue model the rest of atmo uses: an immutable, indexed view of a validated venue config.
// Devices and points are resolved (profile, bus, register map, effective poll period) once here, so
// drivers and the controller never chase references or apply defaults themselves.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/atmo.pb.h"

namespace atmo::zones {

struct Device;

/// One typed value of the venue, e.g. "lounge.air.temperature".
struct Point {
  std::string id;                        ///< "<zone>.<device>.<point>"
  std::string local_id;                  ///< "<device>.<point>", as scenes and criteria name it
  std::string zone;
  const Device* device = nullptr;
  const v1::PointMap* map = nullptr;     ///< register map from the device's profile
  std::chrono::milliseconds poll_period{1000};
  bool disabled = false;                 ///< listed in the device's disabled_points: never written

  bool output() const { return map->writable(); }
  v1::Quantity quantity() const { return map->quantity(); }
};

/// An instance of a profile on a bus at a unit id.
struct Device {
  std::string id;                        ///< "<zone>.<device>", e.g. "lounge.air"
  std::string zone;
  const v1::Device* config = nullptr;
  const v1::DeviceProfile* profile = nullptr;
  const v1::Bus* bus = nullptr;
  std::vector<const Point*> points;      ///< in profile order
};

/// Bus settings with the schema's defaults applied.
struct BusSettings {
  std::chrono::milliseconds response_timeout{500};
  unsigned offline_after_failures = 3;
  unsigned max_registers_per_read = 125;
  unsigned max_gap_registers = 0;
};

class Venue {
 public:
  /// Indexes a venue that config::load_venue_file (or validate_venue) accepted.
  /// Throws std::logic_error if a reference does not resolve: that is a validator bug.
  static std::shared_ptr<const Venue> create(v1::Venue config);

  Venue(const Venue&) = delete;
  Venue& operator=(const Venue&) = delete;

  const v1::Venue& config() const { return config_; }
  const std::string& id() const { return config_.id(); }

  std::span<const Device> devices() const { return devices_; }
  std::span<const Point> points() const { return points_; }
  const Device* device(std::string_view id) const;
  const Point* point(std::string_view id) const;
  /// A point named relative to a zone ("air.temperature" in "lounge").
  const Point* zone_point(std::string_view zone, std::string_view local_id) const;
  /// Every enabled point of a zone measuring or driving `quantity`, in device order.
  std::vector<const Point*> zone_points(std::string_view zone, v1::Quantity quantity) const;
  std::vector<const Device*> devices_on_bus(std::string_view bus) const;

  const v1::Bus* bus(std::string_view id) const;
  BusSettings bus_settings(const v1::Bus& bus) const;
  const v1::DeviceProfile* profile(std::string_view id) const;
  const v1::Zone* zone(std::string_view id) const;
  /// Zones in client-journey order.
  const google::protobuf::RepeatedPtrField<v1::Zone>& zones() const { return config_.zones(); }
  const v1::ZoneScene* zone_scene(std::string_view zone, std::string_view scene) const;
  const v1::VenueScene* venue_scene(std::string_view id) const;
  /// The zone scene a venue scene picks for `zone`, or nullptr when it leaves the zone alone.
  const v1::ZoneScene* zone_scene_for(const v1::VenueScene& scene, std::string_view zone) const;
  const v1::DayProgram* program(std::string_view id) const;

  /// Display name in `lang`, falling back to English, then to the id.
  static std::string display_name(const google::protobuf::Map<std::string, std::string>& names,
                                  std::string_view lang, std::string_view id);

 private:
  explicit Venue(v1::Venue config);
  void index();

  v1::Venue config_;
  std::vector<Device> devices_;
  std::vector<Point> points_;
  std::map<std::string, const Device*, std::less<>> device_by_id_;
  std::map<std::string, const Point*, std::less<>> point_by_id_;
  std::map<std::string, const v1::Bus*, std::less<>> bus_by_id_;
  std::map<std::string, const v1::DeviceProfile*, std::less<>> profile_by_id_;
  std::map<std::string, const v1::Zone*, std::less<>> zone_by_id_;
};

}  // namespace atmo::zones
