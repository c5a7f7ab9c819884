#include "zones/venue.hpp"

#include <stdexcept>

namespace atmo::zones {
namespace {

template <class Map>
auto find_or_null(const Map& map, std::string_view key) -> typename Map::mapped_type {
  auto it = map.find(key);
  return it == map.end() ? nullptr : it->second;
}

std::chrono::milliseconds poll_period_of(const v1::Device& device, const v1::PointMap& map) {
  // Inputs follow the device override, then the profile; outputs are only read back, less often.
  if (!map.writable() && device.poll_ms() > 0) return std::chrono::milliseconds(device.poll_ms());
  if (map.poll_ms() > 0) return std::chrono::milliseconds(map.poll_ms());
  return std::chrono::milliseconds(map.writable() ? 5000 : 1000);
}

}  // namespace

std::shared_ptr<const Venue> Venue::create(v1::Venue config) {
  std::shared_ptr<Venue> venue(new Venue(std::move(config)));
  venue->index();
  return venue;
}

Venue::Venue(v1::Venue config) : config_(std::move(config)) {}

void Venue::index() {
  for (const auto& bus : config_.buses()) bus_by_id_.emplace(bus.id(), &bus);
  for (const auto& profile : config_.profiles()) profile_by_id_.emplace(profile.id(), &profile);
  for (const auto& zone : config_.zones()) zone_by_id_.emplace(zone.id(), &zone);

  // Size both vectors first: points and devices hold pointers into them.
  std::size_t point_count = 0;
  for (const auto& d : config_.devices()) {
    const auto* profile = find_or_null(profile_by_id_, d.profile());
    if (!profile) throw std::logic_error("device " + d.zone() + "." + d.id() + ": unknown profile " + d.profile());
    point_count += static_cast<std::size_t>(profile->points_size());
  }
  devices_.reserve(static_cast<std::size_t>(config_.devices_size()));
  points_.reserve(point_count);

  for (const auto& d : config_.devices()) {
    Device& device = devices_.emplace_back();
    device.id = d.zone() + "." + d.id();
    device.zone = d.zone();
    device.config = &d;
    device.profile = find_or_null(profile_by_id_, d.profile());
    device.bus = find_or_null(bus_by_id_, d.bus());
    if (!device.bus) throw std::logic_error("device " + device.id + ": unknown bus " + d.bus());
    if (!zone_by_id_.contains(d.zone())) throw std::logic_error("device " + device.id + ": unknown zone");
    for (const auto& map : device.profile->points()) {
      Point& point = points_.emplace_back();
      point.local_id = d.id() + "." + map.name();
      point.id = d.zone() + "." + point.local_id;
      point.zone = d.zone();
      point.device = &device;
      point.map = &map;
      point.poll_period = poll_period_of(d, map);
      for (const auto& off : d.disabled_points()) point.disabled = point.disabled || off == map.name();
      device.points.push_back(&point);
    }
  }
  for (const auto& device : devices_) device_by_id_.emplace(device.id, &device);
  for (const auto& point : points_) point_by_id_.emplace(point.id, &point);
}

const Device* Venue::device(std::string_view id) const { return find_or_null(device_by_id_, id); }
const Point* Venue::point(std::string_view id) const { return find_or_null(point_by_id_, id); }

const Point* Venue::zone_point(std::string_view zone, std::string_view local_id) const {
  std::string id;
  id.reserve(zone.size() + 1 + local_id.size());
  id.append(zone).append(".").append(local_id);
  return point(id);
}

std::vector<const Point*> Venue::zone_points(std::string_view zone, v1::Quantity quantity) const {
  std::vector<const Point*> out;
  for (const auto& p : points_) {
    if (p.zone == zone && p.quantity() == quantity && !p.disabled) out.push_back(&p);
  }
  return out;
}

std::vector<const Device*> Venue::devices_on_bus(std::string_view bus) const {
  std::vector<const Device*> out;
  for (const auto& d : devices_) {
    if (d.bus->id() == bus) out.push_back(&d);
  }
  return out;
}

const v1::Bus* Venue::bus(std::string_view id) const { return find_or_null(bus_by_id_, id); }

BusSettings Venue::bus_settings(const v1::Bus& bus) const {
  BusSettings s;
  if (bus.response_timeout_ms() > 0) s.response_timeout = std::chrono::milliseconds(bus.response_timeout_ms());
  if (bus.offline_after_failures() > 0) s.offline_after_failures = bus.offline_after_failures();
  if (bus.max_registers_per_read() > 0) s.max_registers_per_read = bus.max_registers_per_read();
  s.max_gap_registers = bus.max_gap_registers();
  return s;
}

const v1::DeviceProfile* Venue::profile(std::string_view id) const { return find_or_null(profile_by_id_, id); }
const v1::Zone* Venue::zone(std::string_view id) const { return find_or_null(zone_by_id_, id); }

const v1::ZoneScene* Venue::zone_scene(std::string_view zone_id, std::string_view scene) const {
  const auto* z = zone(zone_id);
  if (!z) return nullptr;
  for (const auto& s : z->scenes()) {
    if (s.id() == scene) return &s;
  }
  return nullptr;
}

const v1::VenueScene* Venue::venue_scene(std::string_view id) const {
  for (const auto& s : config_.venue_scenes()) {
    if (s.id() == id) return &s;
  }
  return nullptr;
}

const v1::ZoneScene* Venue::zone_scene_for(const v1::VenueScene& scene, std::string_view zone_id) const {
  auto it = scene.zones().find(std::string(zone_id));
  if (it != scene.zones().end()) return zone_scene(zone_id, it->second);
  if (scene.same_name_in_every_zone()) return zone_scene(zone_id, scene.id());
  return nullptr;
}

const v1::DayProgram* Venue::program(std::string_view id) const {
  for (const auto& p : config_.programs()) {
    if (p.id() == id) return &p;
  }
  return nullptr;
}

std::string Venue::display_name(const google::protobuf::Map<std::string, std::string>& names,
                                std::string_view lang, std::string_view id) {
  if (auto it = names.find(std::string(lang)); it != names.end() && !it->second.empty()) return it->second;
  if (auto it = names.find("en"); it != names.end() && !it->second.empty()) return it->second;
  return std::string(id);
}

}  // namespace atmo::zones
