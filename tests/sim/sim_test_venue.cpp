#include "sim_test_venue.hpp"

#include <string>

namespace atmo::sim::test {
namespace {

v1::PointMap& add_point(v1::DeviceProfile& profile, const std::string& name, v1::Quantity quantity,
                        v1::RegisterTable table, unsigned address, v1::ValueType type = v1::VALUE_TYPE_UNSPECIFIED,
                        v1::WordOrder order = v1::WORD_ORDER_UNSPECIFIED) {
  auto* p = profile.add_points();
  p->set_name(name);
  p->set_quantity(quantity);
  p->set_table(table);
  p->set_address(address);
  p->set_type(type);
  p->set_order(order);
  return *p;
}

void set_range(v1::PointMap& p, double min, double max) {
  p.mutable_range()->set_min(min);
  p.mutable_range()->set_max(max);
}

void add_device(v1::Venue& venue, const std::string& zone, const std::string& id, const std::string& profile,
                const std::string& bus, unsigned unit) {
  auto* d = venue.add_devices();
  d->set_zone(zone);
  d->set_id(id);
  d->set_profile(profile);
  d->set_bus(bus);
  d->set_unit(unit);
}

}  // namespace

v1::Venue make_test_venue_config(unsigned main_port) {
  v1::Venue venue;
  venue.set_id("sim-test");
  (*venue.mutable_name())["en"] = "Simulator test spa";

  auto* main_bus = venue.add_buses();
  main_bus->set_id("main");
  main_bus->mutable_tcp()->set_host("127.0.0.1");
  main_bus->mutable_tcp()->set_port(main_port);
  auto* second = venue.add_buses();
  second->set_id("second");
  second->mutable_tcp()->set_host("127.0.0.1");
  second->mutable_tcp()->set_port(main_port + 1);
  auto* rtu = venue.add_buses();
  rtu->set_id("rs485");
  rtu->mutable_rtu()->set_device("/dev/ttyUSB0");

  {  // every register type and word order, a scale and an offset
    auto* climate = venue.add_profiles();
    climate->set_id("climate");
    auto& sp = add_point(*climate, "setpoint", v1::QUANTITY_TEMPERATURE_SETPOINT, v1::REGISTER_TABLE_HOLDING, 0,
                         v1::VALUE_TYPE_F32, v1::WORD_ORDER_CDAB);
    sp.set_writable(true);
    set_range(sp, 5, 60);
    auto& fsp = add_point(*climate, "floor_setpoint", v1::QUANTITY_FLOOR_SETPOINT, v1::REGISTER_TABLE_HOLDING, 2,
                          v1::VALUE_TYPE_I16);
    fsp.set_scale(0.1);
    fsp.set_writable(true);
    set_range(fsp, 5, 50);
    auto& t = add_point(*climate, "temperature", v1::QUANTITY_AIR_TEMPERATURE, v1::REGISTER_TABLE_INPUT, 0,
                        v1::VALUE_TYPE_I16);
    t.set_scale(0.01);
    set_range(t, -20, 100);
    auto& h = add_point(*climate, "humidity", v1::QUANTITY_HUMIDITY, v1::REGISTER_TABLE_INPUT, 1, v1::VALUE_TYPE_U16);
    h.set_scale(0.1);
    set_range(h, 0, 100);
    auto& co2 = add_point(*climate, "co2", v1::QUANTITY_CO2, v1::REGISTER_TABLE_INPUT, 2, v1::VALUE_TYPE_U32,
                          v1::WORD_ORDER_ABCD);
    set_range(co2, 0, 10000);
    auto& floor = add_point(*climate, "floor", v1::QUANTITY_FLOOR_TEMPERATURE, v1::REGISTER_TABLE_INPUT, 4,
                            v1::VALUE_TYPE_I32, v1::WORD_ORDER_DCBA);
    floor.set_scale(0.001);
    floor.set_offset(-10);
    set_range(floor, -20, 100);
    auto& fault = add_point(*climate, "fault", v1::QUANTITY_FAULT_CODE, v1::REGISTER_TABLE_HOLDING, 10,
                            v1::VALUE_TYPE_U16);
    set_range(fault, 0, 255);
    auto& heating = add_point(*climate, "heating", v1::QUANTITY_OTHER, v1::REGISTER_TABLE_HOLDING, 11);
    heating.set_bit(3);
  }
  {
    auto* light = venue.add_profiles();
    light->set_id("light");
    auto& level = add_point(*light, "level", v1::QUANTITY_LIGHT_LEVEL, v1::REGISTER_TABLE_HOLDING, 0);
    level.set_writable(true);
    level.set_read_back(true);
    set_range(level, 0, 100);
    auto& cct = add_point(*light, "cct", v1::QUANTITY_LIGHT_CCT, v1::REGISTER_TABLE_HOLDING, 1);
    cct.set_writable(true);
    set_range(cct, 2000, 6500);
    auto& lux = add_point(*light, "lux", v1::QUANTITY_ILLUMINANCE, v1::REGISTER_TABLE_INPUT, 0, v1::VALUE_TYPE_F32,
                          v1::WORD_ORDER_BADC);
    set_range(lux, 0, 5000);
  }
  {
    auto* scent = venue.add_profiles();
    scent->set_id("scent");
    add_point(*scent, "enable", v1::QUANTITY_SCENT_ENABLE, v1::REGISTER_TABLE_COIL, 0).set_writable(true);
    auto& intensity = add_point(*scent, "intensity", v1::QUANTITY_SCENT_INTENSITY, v1::REGISTER_TABLE_HOLDING, 0);
    intensity.set_writable(true);
    set_range(intensity, 0, 100);
    auto& work = add_point(*scent, "work", v1::QUANTITY_SCENT_WORK, v1::REGISTER_TABLE_HOLDING, 1);
    work.set_writable(true);
    set_range(work, 1, 600);
    auto& pause = add_point(*scent, "pause", v1::QUANTITY_SCENT_PAUSE, v1::REGISTER_TABLE_HOLDING, 2);
    pause.set_writable(true);
    set_range(pause, 0, 3600);
    auto& cartridge = add_point(*scent, "cartridge", v1::QUANTITY_SCENT_CARTRIDGE, v1::REGISTER_TABLE_INPUT, 0);
    cartridge.set_scale(0.1);
    set_range(cartridge, 0, 100);
  }
  {
    auto* sensor = venue.add_profiles();
    sensor->set_id("sensor");
    auto& noise = add_point(*sensor, "noise", v1::QUANTITY_NOISE, v1::REGISTER_TABLE_INPUT, 0);
    noise.set_scale(0.1);
    set_range(noise, 20, 120);
    add_point(*sensor, "alarm", v1::QUANTITY_FIRE_ALARM, v1::REGISTER_TABLE_DISCRETE, 0);
    auto& board = add_point(*sensor, "board", v1::QUANTITY_OTHER, v1::REGISTER_TABLE_INPUT, 1, v1::VALUE_TYPE_I16);
    board.set_scale(0.1);
    board.set_unit("°C");
    set_range(board, -40, 85);
  }

  for (const char* id : {"entrance", "lounge", "hammam"}) venue.add_zones()->set_id(id);
  add_device(venue, "lounge", "climate", "climate", "main", 1);
  add_device(venue, "lounge", "light", "light", "main", 2);
  add_device(venue, "lounge", "scent", "scent", "main", 3);
  add_device(venue, "lounge", "sensor", "sensor", "main", 4);
  add_device(venue, "entrance", "light", "light", "main", 5);
  add_device(venue, "entrance", "fire", "sensor", "main", 6);
  add_device(venue, "hammam", "climate", "climate", "second", 1);
  add_device(venue, "hammam", "light", "light", "second", 2);
  add_device(venue, "entrance", "panel", "light", "rs485", 1);
  venue.mutable_safety()->set_fire_alarm_point("entrance.fire.alarm");
  return venue;
}

std::shared_ptr<const zones::Venue> make_test_venue(unsigned main_port) {
  return zones::Venue::create(make_test_venue_config(main_port));
}

}  // namespace atmo::sim::test
