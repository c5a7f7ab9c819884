// The alarms staff see and acknowledge: criteria and checklist items out of standard, the fire
// alarm, offline devices and a telemetry store that cannot write (disk full, read-only database), each with a stable id built from what it is and when it began, so an
// acknowledgement belongs to one occurrence (the next departure of the same criterion is a new
// alarm). Acknowledgements live in the telemetry store's state table (key "api.ack.<id>") and
// survive a restart; they are dropped once their alarm has ended. Controller thread only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/api.pb.h"
#include "controller/controller.hpp"

namespace atmo::api {

class AlarmTracker {
 public:
  explicit AlarmTracker(controller::Controller& controller);

  /// Loads acknowledgements from the store (call once the controller has started).
  void load();
  /// Every active alarm with its acknowledgement, oldest first.
  std::vector<v1::AlarmView> active();
  /// Errors: no active alarm has this id (it ended, or never existed).
  Result<v1::AlarmView> acknowledge(const std::string& id, const std::string& who, const std::string& note);
  /// Forgets acknowledgements of alarms that are no longer active.
  void prune(const std::vector<v1::AlarmView>& active);

 private:
  struct Ack {
    std::string by;
    TimeMs at = 0;
    std::string note;
  };

  controller::Controller& controller_;
  std::map<std::string, Ack> acks_;
  std::optional<TimeMs> fire_since_;
  std::optional<TimeMs> storage_since_;
};

}  // namespace atmo::api
