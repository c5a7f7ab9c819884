#include "test_venue.hpp"

namespace atmo::modbus::test {

v1::PointMap point_map(const PointSpec& spec) {
  v1::PointMap m;
  m.set_name(spec.name);
  m.set_table(spec.table);
  m.set_address(spec.address);
  m.set_type(spec.type);
  m.set_order(spec.order);
  if (spec.scale) m.set_scale(*spec.scale);
  m.set_offset(spec.offset);
  if (spec.range) {
    m.mutable_range()->set_min(spec.range->first);
    m.mutable_range()->set_max(spec.range->second);
  }
  m.set_poll_ms(spec.poll_ms);
  m.set_writable(spec.writable);
  m.set_read_back(spec.read_back);
  if (spec.bit) m.set_bit(*spec.bit);
  return m;
}

void add_profile(v1::Venue& venue, const std::string& id, std::initializer_list<PointSpec> points) {
  auto* profile = venue.add_profiles();
  profile->set_id(id);
  for (const auto& p : points) *profile->add_points() = point_map(p);
}

v1::Bus& add_tcp_bus(v1::Venue& venue, const std::string& id, int port, unsigned response_timeout_ms,
                     unsigned offline_after) {
  auto* bus = venue.add_buses();
  bus->set_id(id);
  bus->mutable_tcp()->set_host("127.0.0.1");
  bus->mutable_tcp()->set_port(static_cast<unsigned>(port));
  bus->set_response_timeout_ms(response_timeout_ms);
  bus->set_offline_after_failures(offline_after);
  return *bus;
}

v1::Bus& add_rtu_bus(v1::Venue& venue, const std::string& id, const std::string& device, unsigned baud) {
  auto* bus = venue.add_buses();
  bus->set_id(id);
  bus->mutable_rtu()->set_device(device);
  bus->mutable_rtu()->set_baud(baud);
  bus->mutable_rtu()->set_parity(v1::PARITY_NONE);
  bus->set_response_timeout_ms(300);
  return *bus;
}

v1::Device& add_device(v1::Venue& venue, const std::string& zone, const std::string& id, const std::string& profile,
                       const std::string& bus, unsigned unit, unsigned poll_ms) {
  bool has_zone = false;
  for (const auto& z : venue.zones()) has_zone = has_zone || z.id() == zone;
  if (!has_zone) venue.add_zones()->set_id(zone);
  auto* d = venue.add_devices();
  d->set_id(id);
  d->set_zone(zone);
  d->set_profile(profile);
  d->set_bus(bus);
  d->set_unit(unit);
  d->set_poll_ms(poll_ms);
  return *d;
}

}  // namespace atmo::modbus::test
