// The coalesced read plan: how many requests a poll cycle needs, within the protocol's limits.
#include <catch2/catch.hpp>

#include <string>

#include "drivers/modbus/read_plan.hpp"
#include "test_venue.hpp"

using namespace atmo;
using namespace atmo::modbus;
using namespace atmo::modbus::test;

namespace {

std::vector<const zones::Point*> polled_points(const zones::Venue& venue) {
  std::vector<const zones::Point*> out;
  for (const auto& p : venue.points()) {
    if (is_polled(p)) out.push_back(&p);
  }
  return out;
}

std::shared_ptr<const zones::Venue> single_device(std::initializer_list<PointSpec> points, unsigned max_gap = 0) {
  v1::Venue v;
  add_profile(v, "p", points);
  add_tcp_bus(v, "bus", 1502).set_max_gap_registers(max_gap);
  add_device(v, "lounge", "dev", "p", "bus", 1);
  return zones::Venue::create(std::move(v));
}

PointSpec u16(std::string name, unsigned address, v1::RegisterTable table = v1::REGISTER_TABLE_INPUT) {
  PointSpec p;
  p.name = std::move(name);
  p.table = table;
  p.address = address;
  return p;
}

}  // namespace

TEST_CASE("adjacent registers of one device and table are read in one request", "[plan]") {
  PointSpec f = u16("temperature", 2);
  f.type = v1::VALUE_TYPE_F32;
  auto venue = single_device({u16("humidity", 0), u16("co2", 1), f, u16("lux", 4)});
  auto plan = plan_bus_reads(*venue, *venue->bus("bus"));
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].table == v1::REGISTER_TABLE_INPUT);
  CHECK(plan[0].start == 0);
  CHECK(plan[0].count == 5);
  REQUIRE(plan[0].points.size() == 4);
  CHECK(plan[0].points[2].point->map->name() == "temperature");
  CHECK(plan[0].points[2].offset == 2);
  CHECK(plan[0].points[3].offset == 4);
}

TEST_CASE("gaps split requests unless the bus allows reading across them", "[plan]") {
  SECTION("no gap allowed") {
    auto venue = single_device({u16("a", 0), u16("b", 2), u16("c", 3)});
    auto plan = plan_bus_reads(*venue, *venue->bus("bus"));
    REQUIRE(plan.size() == 2);
    CHECK(plan[0].count == 1);
    CHECK(plan[1].start == 2);
    CHECK(plan[1].count == 2);
  }
  SECTION("max_gap_registers 1") {
    auto venue = single_device({u16("a", 0), u16("b", 2), u16("c", 3), u16("d", 10)}, 1);
    auto plan = plan_bus_reads(*venue, *venue->bus("bus"));
    REQUIRE(plan.size() == 2);
    CHECK(plan[0].start == 0);
    CHECK(plan[0].count == 4);
    CHECK(plan[0].points[1].offset == 2);
    CHECK(plan[1].start == 10);
  }
}

TEST_CASE("a request never exceeds 125 registers and never splits a 32-bit point", "[plan]") {
  v1::Venue v;
  auto* profile = v.add_profiles();
  profile->set_id("big");
  for (unsigned a = 0; a < 124; ++a) *profile->add_points() = point_map(u16("r" + std::to_string(a), a));
  PointSpec f = u16("f", 124);
  f.type = v1::VALUE_TYPE_F32;
  *profile->add_points() = point_map(f);
  add_tcp_bus(v, "bus", 1502);
  add_device(v, "z", "dev", "big", "bus", 1);
  auto venue = zones::Venue::create(std::move(v));
  auto plan = plan_bus_reads(*venue, *venue->bus("bus"));
  REQUIRE(plan.size() == 2);
  CHECK(plan[0].count == 124);
  CHECK(plan[1].start == 124);
  CHECK(plan[1].count == 2);
}

TEST_CASE("the bus's max_registers_per_read lowers the limit", "[plan]") {
  v1::Venue v;
  add_profile(v, "p", {u16("a", 0), u16("b", 1), u16("c", 2), u16("d", 3), u16("e", 4)});
  add_tcp_bus(v, "bus", 1502).set_max_registers_per_read(2);
  add_device(v, "z", "dev", "p", "bus", 1);
  auto venue = zones::Venue::create(std::move(v));
  auto plan = plan_bus_reads(*venue, *venue->bus("bus"));
  REQUIRE(plan.size() == 3);
  CHECK(plan[2].count == 1);
}

TEST_CASE("coil and discrete reads hold up to 2000 bits", "[plan]") {
  v1::Venue v;
  auto* profile = v.add_profiles();
  profile->set_id("relays");
  for (unsigned a = 0; a < 2001; ++a) {
    *profile->add_points() = point_map(u16("d" + std::to_string(a), a, v1::REGISTER_TABLE_DISCRETE));
  }
  add_tcp_bus(v, "bus", 1502);
  add_device(v, "z", "dev", "relays", "bus", 1);
  auto venue = zones::Venue::create(std::move(v));
  auto plan = plan_bus_reads(*venue, *venue->bus("bus"));
  REQUIRE(plan.size() == 2);
  CHECK(plan[0].count == 2000);
  CHECK(plan[1].count == 1);
}

TEST_CASE("units, tables and poll periods are never mixed in one request", "[plan]") {
  v1::Venue v;
  PointSpec slow = u16("slow", 1);
  slow.poll_ms = 10000;
  add_profile(v, "p", {u16("a", 0), slow, u16("h", 2, v1::REGISTER_TABLE_HOLDING)});
  add_tcp_bus(v, "bus", 1502);
  add_device(v, "z", "one", "p", "bus", 1);
  add_device(v, "z", "two", "p", "bus", 2);
  auto venue = zones::Venue::create(std::move(v));
  auto plan = plan_bus_reads(*venue, *venue->bus("bus"));
  REQUIRE(plan.size() == 6);  // per unit: input @1 s, input @10 s, holding @1 s
  for (const auto& r : plan) CHECK(r.points.size() == 1);
  CHECK(plan[0].device->id == "z.one");
  CHECK(plan[5].device->id == "z.two");
}

TEST_CASE("bit fields of one register share one read", "[plan]") {
  PointSpec a = u16("alarm", 7);
  a.bit = 0;
  PointSpec b = u16("fault", 7);
  b.bit = 5;
  auto venue = single_device({a, b});
  auto plan = plan_bus_reads(*venue, *venue->bus("bus"));
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].count == 1);
  CHECK(plan[0].points.size() == 2);
  CHECK(plan[0].points[1].offset == 0);
}

// No ';' in test names: CMake splits the name ctest registers there, and the halves match nothing.
TEST_CASE("only inputs and read-back outputs are polled, disabled points never", "[plan]") {
  v1::Venue v;
  PointSpec out = u16("level", 0, v1::REGISTER_TABLE_HOLDING);
  out.writable = true;
  PointSpec checked = u16("cct", 1, v1::REGISTER_TABLE_HOLDING);
  checked.writable = true;
  checked.read_back = true;
  PointSpec unused = u16("group2", 2, v1::REGISTER_TABLE_HOLDING);
  unused.writable = true;
  unused.read_back = true;
  add_profile(v, "light", {out, checked, unused, u16("lux", 0)});
  add_tcp_bus(v, "bus", 1502);
  add_device(v, "z", "light", "light", "bus", 1).add_disabled_points("group2");
  auto venue = zones::Venue::create(std::move(v));
  auto plan = plan_bus_reads(*venue, *venue->bus("bus"));
  REQUIRE(plan.size() == 2);
  // By device, then table (input registers before holding registers), period and address.
  CHECK(plan[0].points[0].point->map->name() == "lux");
  CHECK(plan[1].table == v1::REGISTER_TABLE_HOLDING);
  CHECK(plan[1].start == 1);
  CHECK(plan[1].count == 1);
  CHECK(plan[1].period == std::chrono::milliseconds(5000));  // read-back default
}

TEST_CASE("a spa-sized poll cycle needs far fewer requests than points", "[plan]") {
  // The shape of the demo venue: 8 zones with an air sensor, a light and a diffuser each.
  v1::Venue v;
  PointSpec temperature = u16("temperature", 0);
  temperature.type = v1::VALUE_TYPE_I16;
  temperature.scale = 0.1;
  PointSpec co2 = u16("co2", 3);
  co2.type = v1::VALUE_TYPE_F32;
  co2.order = v1::WORD_ORDER_CDAB;
  add_profile(v, "air", {temperature, u16("humidity", 1), u16("lux", 2), co2, u16("noise", 5)});
  PointSpec level = u16("level", 0, v1::REGISTER_TABLE_HOLDING);
  level.writable = level.read_back = true;
  PointSpec cct = u16("cct", 1, v1::REGISTER_TABLE_HOLDING);
  cct.writable = cct.read_back = true;
  add_profile(v, "light", {level, cct});
  PointSpec enable = u16("enable", 0, v1::REGISTER_TABLE_COIL);
  enable.writable = enable.read_back = true;
  PointSpec intensity = u16("intensity", 0, v1::REGISTER_TABLE_HOLDING);
  intensity.writable = intensity.read_back = true;
  add_profile(v, "scent", {enable, intensity, u16("cartridge", 0), u16("fault", 1)});
  add_tcp_bus(v, "bus", 1502);
  unsigned unit = 1;
  for (const char* zone : {"entrance", "reception", "changing", "lounge", "treatment-1", "treatment-2", "hammam",
                           "tea"}) {
    add_device(v, zone, "air", "air", "bus", unit++);
    add_device(v, zone, "light", "light", "bus", unit++);
    add_device(v, zone, "scent", "scent", "bus", unit++);
  }
  auto venue = zones::Venue::create(std::move(v));
  const auto polled = polled_points(*venue);
  auto plan = plan_bus_reads(*venue, *venue->bus("bus"));
  CHECK(polled.size() == 8 * (5 + 2 + 4));             // M = 88 points
  CHECK(plan.size() == 8 * (1 + 1 + 3));               // N = 40 requests: air 1, light 1, scent 3
  WARN("demo-shaped venue: " << plan.size() << " requests per poll cycle for " << polled.size() << " points");
}

TEST_CASE("writes of adjacent outputs of one device are coalesced", "[plan]") {
  v1::Venue v;
  PointSpec r = u16("red", 10, v1::REGISTER_TABLE_HOLDING);
  PointSpec g = u16("green", 11, v1::REGISTER_TABLE_HOLDING);
  PointSpec w = u16("white", 13, v1::REGISTER_TABLE_HOLDING);
  PointSpec c = u16("on", 0, v1::REGISTER_TABLE_COIL);
  for (auto* p : {&r, &g, &w, &c}) p->writable = true;
  add_profile(v, "rgbw", {r, g, w, c});
  add_tcp_bus(v, "bus", 1502);
  add_device(v, "z", "a", "rgbw", "bus", 1);
  add_device(v, "z", "b", "rgbw", "bus", 2);
  auto venue = zones::Venue::create(std::move(v));
  auto pt = [&](const char* id) { return venue->point(id); };
  auto plan = plan_writes({{pt("z.a.white"), {3}},
                           {pt("z.a.green"), {2}},
                           {pt("z.a.red"), {1}},
                           {pt("z.b.red"), {9}},
                           {pt("z.a.on"), {1}}});
  REQUIRE(plan.size() == 4);
  CHECK(plan[0].device->id == "z.a");
  CHECK(plan[0].table == v1::REGISTER_TABLE_COIL);
  CHECK(plan[1].start == 10);
  CHECK(plan[1].words == std::vector<std::uint16_t>{1, 2});  // red, green; white is not adjacent
  CHECK(plan[1].points.size() == 2);
  CHECK(plan[2].start == 13);
  CHECK(plan[3].device->id == "z.b");
}
