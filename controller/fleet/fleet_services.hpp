// The daemon's view of controller/fleet: /metrics for the API server and the MQTT publisher, set up
// from the venue's `metrics` and `mqtt` blocks (or `--mqtt HOST:PORT`) so run_daemon needs a few
// lines only. Order: create() before Controller::start() (event counts start at once), start()
// after it, stop() once the io_context has stopped.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "controller/api/api_options.hpp"
#include "controller/audio_output.hpp"
#include "controller/controller.hpp"
#include "controller/fleet/metrics_endpoint.hpp"
#include "controller/fleet/mqtt_publisher.hpp"

namespace atmo::fleet {

class FleetServices {
 public:
  /// `mqtt_broker`: "HOST:PORT" to publish there (the venue's other mqtt settings, else the
  /// defaults, apply); empty: the venue's mqtt block decides. Errors: a secret cannot be read, a
  /// bad HOST:PORT.
  static Result<std::unique_ptr<FleetServices>> create(controller::Controller& controller,
                                                       const controller::AudioOutput* audio,
                                                       const std::string& mqtt_broker = {});

  /// Starts the MQTT publisher, if configured. Errors: the client refuses its settings.
  Status start();
  /// Lets the API server answer GET /metrics.
  void wire(api::ApiOptions& options);
  /// Says "offline" on MQTT, flushes (at most 2 s) and disconnects. Idempotent.
  void stop();

  const MqttPublisher* mqtt() const { return mqtt_.get(); }

 private:
  FleetServices(controller::Controller& controller, MetricsAccess access, const controller::AudioOutput* audio,
                std::optional<MqttConfig> mqtt);

  controller::Controller& controller_;
  MetricsEndpoint metrics_;
  std::unique_ptr<MqttPublisher> mqtt_;
};

}  // namespace atmo::fleet
