// What /metrics says about a venue: readings per point, compliance per zone and sense, alarms,
// device health and Modbus counters, audio underflows and callback load, API requests and the
// MQTT link. Names follow Prometheus' conventions: an `atmo_` prefix, base units (`_seconds`,
// `_ratio`), `_total` on counters, state sets as one series per state with value 1 for the
// current one, and no label that is the same on every series (the venue is a target label in
// Prometheus; atmo_venue_info names it for joins). docs/fleet.md lists every family.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/api.pb.h"
#include "controller/api/api_options.hpp"
#include "controller/controller.hpp"
#include "controller/fleet/metrics_text.hpp"
#include "controller/fleet/mqtt_publisher.hpp"
#include "drivers/audio/audio_engine.hpp"

namespace atmo::fleet {

/// Counted from the event bus since the daemon started.
struct EventCounts {
  std::map<std::string, std::uint64_t> by_kind;
  std::map<std::pair<std::string, std::string>, std::uint64_t> alarms_raised;  ///< (zone, sense) -> count

  void count(const controller::Event& event);
};

struct VenueMetricsInputs {
  controller::Controller* controller = nullptr;  ///< required
  std::vector<v1::AlarmView> alarms;             ///< active now
  std::optional<audio::EngineStatus> audio;
  const api::RequestCounts* api_requests = nullptr;
  const EventCounts* events = nullptr;
  std::optional<MqttPublisherStats> mqtt;
};

std::vector<MetricFamily> collect_venue_metrics(const VenueMetricsInputs& in);

}  // namespace atmo::fleet
