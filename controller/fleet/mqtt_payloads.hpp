// What atmo publishes to a broker and where (docs/fleet.md has the tree): topic names under the
// venue's prefix, the Fleet* messages of config/atmo.proto built from the controller's state, and
// their encoding as binary protobuf or as protobuf's JSON mapping. Builders read the controller on
// its own thread; encoding is pure.
#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/message.h>

#include "config/api.pb.h"
#include "config/atmo.pb.h"
#include "controller/controller.hpp"
#include "zones/result.hpp"

namespace atmo::fleet {

/// The topic tree of one venue.
class FleetTopics {
 public:
  explicit FleetTopics(std::string prefix) : prefix_(std::move(prefix)) {}

  const std::string& prefix() const { return prefix_; }
  std::string status() const { return prefix_ + "/status"; }
  /// "<prefix>/readings/<zone>/<device>/<point>"
  std::string reading(const zones::Point& point) const;
  std::string zone(std::string_view zone) const { return prefix_ + "/zones/" + std::string(zone); }
  std::string alarms() const { return prefix_ + "/alarms"; }
  std::string events() const { return prefix_ + "/events"; }
  std::string command() const { return prefix_ + "/command"; }
  std::string command_result() const { return prefix_ + "/command/result"; }

 private:
  std::string prefix_;
};

/// The default prefix: "atmo/<venue id>".
std::string default_topic_prefix(std::string_view venue_id);

/// Binary protobuf, or one line of protobuf's JSON mapping (every field, lowerCamelCase names).
std::string encode_payload(const google::protobuf::Message& message, v1::PayloadFormat format);
/// Errors: not a valid message in that format (JSON: unknown fields too).
Status decode_payload(std::string_view payload, v1::PayloadFormat format, google::protobuf::Message& message);

v1::SenseCompliance sense_compliance(zones::ComplianceState state);

v1::FleetReading reading_message(const zones::Point& point, const controller::LiveReading& reading);
v1::FleetZoneState zone_state_message(controller::Controller& controller, std::string_view zone);
v1::FleetAlarmList alarm_list_message(const std::vector<v1::AlarmView>& alarms);
v1::FleetEvent event_message(const controller::Event& event);

}  // namespace atmo::fleet
