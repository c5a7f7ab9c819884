// Points a venue's buses at an in-process simulator. `atmo demo` and the integration tests run the
// simulator on free ports, so the controller must be given a venue whose TCP buses say where.
#pragma once

#include <memory>

#include "sim/simulator.hpp"
#include "zones/venue.hpp"

namespace atmo::controller {

/// A copy of `venue` whose served TCP buses point at 127.0.0.1 and the port the simulator uses.
std::shared_ptr<const zones::Venue> venue_served_by(const zones::Venue& venue, const sim::Simulator& simulator);

}  // namespace atmo::controller
