// The venue on the chain's MQTT broker (docs/fleet.md): on the controller's thread it turns
// readings, zone states, alarms and events into Fleet* messages under the venue's topic prefix and
// hands them to MqttClient, which owns the network. Retained topics (status, readings, zones,
// alarms) hold the last state and are published in full again after every (re)connect; the
// status topic carries "online" while connected and the broker's last will "offline" otherwise.
// Signed scene commands (mqtt_commands.hpp) are applied through Controller::apply_*_scene like the
// tablet's, and audited as events with who, what and why.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "controller/api/alarm_tracker.hpp"
#include "controller/controller.hpp"
#include "controller/fleet/mqtt_client.hpp"
#include "controller/fleet/mqtt_commands.hpp"
#include "controller/fleet/mqtt_payloads.hpp"
#include "controller/fleet/mqtt_settings.hpp"

namespace atmo::fleet {

struct MqttPublisherStats {
  MqttClientStats client;
  std::uint64_t queued = 0;             ///< messages handed to the client since start
  std::uint64_t commands_accepted = 0;
  std::uint64_t commands_refused = 0;
};

class MqttPublisher {
 public:
  /// Nothing runs before start(). `controller` must outlive the publisher.
  MqttPublisher(controller::Controller& controller, MqttConfig config);
  ~MqttPublisher();
  MqttPublisher(const MqttPublisher&) = delete;
  MqttPublisher& operator=(const MqttPublisher&) = delete;

  /// Starts the client (connecting in the background) and the publishing timer; call on the
  /// controller's thread after Controller::start(). Errors: the client refuses its settings.
  Status start();
  /// Publishes "offline" (retained), waits up to `flush` for the broker to take what is buffered,
  /// disconnects cleanly and stops. Call once the controller's io_context no longer runs, or on its
  /// thread. Idempotent.
  void stop(std::chrono::milliseconds flush = std::chrono::seconds(2));

  MqttPublisherStats stats() const;
  const FleetTopics& topics() const { return topics_; }

 private:
  void publish(const std::string& topic, google::protobuf::Message& message, bool retain);
  v1::FleetStatus status_message(bool online) const;
  void arm_timer();
  void on_tick();
  void on_connected();
  void on_command(const std::string& payload);
  void audit_command(const CommandVerdict& verdict, const std::string& who, const std::string& what, const std::string& error);

  controller::Controller& controller_;
  MqttConfig config_;
  FleetTopics topics_;
  std::unique_ptr<MqttClient> client_;
  std::optional<CommandVerifier> verifier_;
  api::AlarmTracker alarms_;
  boost::asio::steady_timer timer_;
  std::optional<controller::EventBus::SubscriptionId> subscription_;
  /// Posted network-thread callbacks check this before touching the publisher.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  std::uint64_t next_seq_ = 1;
  std::uint64_t queued_ = 0;
  std::uint64_t commands_accepted_ = 0;
  std::uint64_t commands_refused_ = 0;
  std::uint64_t refusals_audited_this_minute_ = 0;
  std::chrono::steady_clock::time_point refusal_minute_{};
  std::uint64_t drops_reported_ = 0;
  std::chrono::steady_clock::time_point drops_reported_at_{};

  // What the retained topics were last given (without seq and time), to publish only changes.
  std::map<std::string, TimeMs, std::less<>> reading_sent_;
  std::map<std::string, std::string, std::less<>> zone_sent_;
  std::string alarms_sent_;
  std::string status_sent_;
  bool running_ = false;
};

}  // namespace atmo::fleet
