// A small venue built in code for the simulator tests: three zones, two TCP buses and one RTU bus,
// profiles covering every table, value type, word order, scale, offset and a bit field.
#pragma once

#include <memory>

#include "config/atmo.pb.h"
#include "zones/venue.hpp"

namespace atmo::sim::test {

/// Buses: "main" (127.0.0.1:`main_port`), "second" (127.0.0.1:`main_port`+1), "rs485" (RTU).
/// Devices: lounge.climate (main, 1), lounge.light (main, 2), lounge.scent (main, 3),
/// lounge.sensor (main, 4), entrance.light (main, 5), entrance.fire (main, 6),
/// hammam.climate (second, 1), hammam.light (second, 2), entrance.panel (rs485, 1).
v1::Venue make_test_venue_config(unsigned main_port = 1502);
std::shared_ptr<const zones::Venue> make_test_venue(unsigned main_port = 1502);

}  // namespace atmo::sim::test
