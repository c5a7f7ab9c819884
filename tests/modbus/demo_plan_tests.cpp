// The read plan of the demo venue that ships with atmo: every polled point read exactly once per
// cycle, within the protocol's limits, in fewer requests than points.
#include <catch2/catch.hpp>

#include <map>

#include "config/venue_loader.hpp"
#include "drivers/modbus/read_plan.hpp"
#include "drivers/modbus/register_codec.hpp"
#include "zones/venue.hpp"

using namespace atmo;
using namespace atmo::modbus;

TEST_CASE("the demo venue's poll cycle coalesces its points into fewer requests", "[plan][demo]") {
  auto loaded = config::load_embedded_demo();
  REQUIRE(loaded.ok());
  auto venue = zones::Venue::create(*loaded.venue);
  std::size_t requests = 0;
  std::size_t points = 0;
  for (const auto& bus : venue->config().buses()) {
    const auto plan = plan_bus_reads(*venue, bus);
    std::map<const zones::Point*, int> seen;
    for (const auto& r : plan) {
      const bool bits = r.table == v1::REGISTER_TABLE_COIL || r.table == v1::REGISTER_TABLE_DISCRETE;
      CHECK(r.count <= (bits ? kMaxReadBits : kMaxReadRegisters));
      for (const auto& p : r.points) {
        ++seen[p.point];
        CHECK(p.offset + register_count(*p.point->map) <= r.count);
        CHECK(p.point->device == r.device);
      }
    }
    std::size_t polled = 0;
    for (const auto* device : venue->devices_on_bus(bus.id())) {
      for (const auto* p : device->points) {
        if (!is_polled(*p)) continue;
        ++polled;
        CAPTURE(p->id);
        CHECK(seen[p] == 1);
      }
    }
    requests += plan.size();
    points += polled;
  }
  CHECK(points > 0);
  CHECK(requests < points);
  WARN("demo venue: " << requests << " read requests per poll cycle for " << points << " polled points on "
                      << venue->config().buses_size() << " buses");
}
