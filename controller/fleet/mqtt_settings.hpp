// The venue's `mqtt` block with its defaults applied and its secrets read: everything the
// publisher and its client need, resolved once at start-up so a missing password file is a
// start-up error rather than a silent failure on the first reconnect.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "config/atmo.pb.h"
#include "controller/fleet/mqtt_client.hpp"
#include "controller/fleet/mqtt_commands.hpp"
#include "controller/fleet/secret_source.hpp"
#include "zones/result.hpp"

namespace atmo::fleet {

struct MqttConfig {
  MqttClientOptions client;            ///< will and subscriptions are added by the publisher
  std::string venue_id;
  std::string topic_prefix;            ///< "atmo/<venue id>" unless set
  v1::PayloadFormat format = v1::PAYLOAD_FORMAT_PROTOBUF;
  std::chrono::milliseconds readings_interval{1000};
  bool commands = false;
  std::vector<CommandKey> command_keys;
  std::chrono::seconds command_window{60};
};

/// Errors: a secret (password, command key) cannot be read; the settings name no host.
Result<MqttConfig> resolve_mqtt_config(const std::string& venue_id, const v1::MqttSettings& settings,
                                       const EnvLookup& getenv = {});

/// "host:port" (or "[v6]:port") as `atmo demo --mqtt` takes it: MQTT settings with every default.
/// Errors: not host:port.
Result<v1::MqttSettings> mqtt_settings_for_broker(const std::string& host_port);

}  // namespace atmo::fleet
