// GET /metrics for the daemon's API server: checks who asks (metrics_access.hpp), gathers the
// venue's figures on the controller's thread (venue_metrics.hpp) and renders the Prometheus text.
// Counts events from the moment it is built, so build it before Controller::start().
#pragma once

#include <optional>

#include "controller/api/alarm_tracker.hpp"
#include "controller/api/api_options.hpp"
#include "controller/audio_output.hpp"
#include "controller/controller.hpp"
#include "controller/fleet/metrics_access.hpp"
#include "controller/fleet/mqtt_publisher.hpp"
#include "controller/fleet/venue_metrics.hpp"

namespace atmo::fleet {

class MetricsEndpoint {
 public:
  /// `audio` and the publisher (set_mqtt) are optional; both must outlive the endpoint.
  MetricsEndpoint(controller::Controller& controller, MetricsAccess access, const controller::AudioOutput* audio);
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  void set_mqtt(const MqttPublisher* mqtt) { mqtt_ = mqtt; }

  /// The answer to one scrape: 200 with the text, or 401/403/404 with a plain-text reason.
  api::MetricsReply serve(const api::MetricsScrape& scrape);

 private:
  controller::Controller& controller_;
  MetricsAccess access_;
  const controller::AudioOutput* audio_;
  const MqttPublisher* mqtt_ = nullptr;
  api::AlarmTracker alarms_;
  EventCounts events_;
  controller::EventBus::SubscriptionId subscription_;
};

}  // namespace atmo::fleet
