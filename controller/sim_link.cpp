#include "controller/sim_link.hpp"

namespace atmo::controller {

std::shared_ptr<const zones::Venue> venue_served_by(const zones::Venue& venue, const sim::Simulator& simulator) {
  v1::Venue config = venue.config();
  for (auto& bus : *config.mutable_buses()) {
    if (!bus.has_tcp()) continue;
    if (auto port = simulator.bus_port(bus.id())) {
      bus.mutable_tcp()->set_host("127.0.0.1");
      bus.mutable_tcp()->set_port(static_cast<std::uint32_t>(*port));
    }
  }
  return zones::Venue::create(std::move(config));
}

}  // namespace atmo::controller
