#include "controller/fleet/fleet_services.hpp"

#include "controller/fleet/mqtt_settings.hpp"

namespace atmo::fleet {

Result<std::unique_ptr<FleetServices>> FleetServices::create(controller::Controller& controller,
                                                             const controller::AudioOutput* audio,
                                                             const std::string& mqtt_broker) {
  const auto& venue = controller.venue().config();
  auto access = load_metrics_access(venue.metrics());
  if (!access) return access.error();
  std::optional<v1::MqttSettings> settings;
  if (venue.has_mqtt()) settings = venue.mqtt();
  if (!mqtt_broker.empty()) {
    auto broker = mqtt_settings_for_broker(mqtt_broker);
    if (!broker) return broker.error();
    if (!settings) settings.emplace();
    settings->set_host(broker->host());
    settings->set_port(broker->port());
  }
  std::optional<MqttConfig> mqtt;
  if (settings) {
    auto config = resolve_mqtt_config(controller.venue().id(), *settings);
    if (!config) return config.error();
    mqtt = std::move(config).value();
  }
  return std::unique_ptr<FleetServices>(new FleetServices(controller, std::move(access).value(), audio, std::move(mqtt)));
}

FleetServices::FleetServices(controller::Controller& controller, MetricsAccess access, const controller::AudioOutput* audio,
                             std::optional<MqttConfig> mqtt)
    : controller_(controller), metrics_(controller, std::move(access), audio) {
  if (mqtt) {
    mqtt_ = std::make_unique<MqttPublisher>(controller, std::move(*mqtt));
    metrics_.set_mqtt(mqtt_.get());
  }
}

Status FleetServices::start() {
  if (!mqtt_) return ok_status();
  return mqtt_->start();
}

void FleetServices::wire(api::ApiOptions& options) {
  options.metrics = [this](const api::MetricsScrape& scrape) { return metrics_.serve(scrape); };
}

void FleetServices::stop() {
  if (mqtt_) mqtt_->stop();
}

}  // namespace atmo::fleet
