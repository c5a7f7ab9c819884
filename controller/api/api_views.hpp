// Builds the API's messages (config/api.proto) from the controller's state. Pure reads of the
// controller on its own thread; no I/O except the store's reader where a view needs history.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "config/api.pb.h"
#include "controller/controller.hpp"

namespace atmo::api {

/// Manual sound levels set through the API, per zone, with when (so a later scene change wins).
struct SoundOverride {
  double level_db = 0;
  TimeMs at = 0;
};
using SoundOverrides = std::map<std::string, SoundOverride, std::less<>>;

v1::VenueInfo venue_info(controller::Controller& c);
v1::ZoneStatus zone_status(controller::Controller& c, std::string_view zone, bool with_readings,
                           const SoundOverrides& sound = {});
v1::LiveReading live_reading(const controller::Controller& c, const zones::Point& point);
v1::ComplianceNow compliance_now(controller::Controller& c);
v1::ChecklistView checklist_view(const controller::Controller& c, const zones::ChecklistStatus& s);
v1::ScheduleView schedule_view(controller::Controller& c, int days);
v1::DevicesView devices_view(controller::Controller& c);
v1::EventView event_view(const controller::Event& e);
v1::SenseStatus sense_status(controller::Controller& c, std::string_view zone, v1::Sense sense);

std::string_view hold_kind_name(controller::Hold::Kind kind);

}  // namespace atmo::api
