#include "config/fleet_validator.hpp"

#include <algorithm>
#include <set>
#include <string>

namespace atmo::config {
namespace pb = google::protobuf;

bool valid_topic_level(std::string_view level) {
  if (level.empty()) return false;
  return level.find_first_of(std::string_view("/+#\0", 4)) == std::string_view::npos;
}

namespace {

std::string q(std::string_view s) { return "'" + std::string(s) + "'"; }

class FleetValidator {
 public:
  FleetValidator(const v1::Venue& venue, const SourceMap& sources, std::vector<Diagnostic>& errors)
      : venue_(venue), sources_(sources), errors_(errors) {}

  void run() {
    if (venue_.has_metrics()) check_metrics(venue_.metrics());
    if (venue_.has_mqtt()) check_mqtt(venue_.mqtt());
  }

 private:
  void report(const pb::Message& at, const std::string& field, std::string message) {
    if (!field.empty() && sources_.invalid(&at, field)) return;  // the YAML mapper has said so
    const Location loc = sources_.at(&at, field);
    errors_.push_back(Diagnostic{loc.file, loc.line, loc.column, std::move(message)});
  }

  void check_metrics(const v1::MetricsSettings& m) {
    if (!m.bearer_token_file().empty() && !m.bearer_token_env().empty()) {
      report(m, "bearer_token_env", "metrics: give the bearer token in bearer_token_file or bearer_token_env, not both");
    }
  }

  void check_mqtt(const v1::MqttSettings& m) {
    if (m.host().empty()) {
      if (!sources_.invalid(&m, "host")) report(m, "", "mqtt needs the broker's host (name or address)");
    } else if (m.host().find_first_of(" /") != std::string::npos || std::count(m.host().begin(), m.host().end(), ':') == 1) {
      report(m, "host", "mqtt host " + q(m.host()) + " must be a name or an address, without scheme or port (use 'port')");
    }
    if (m.port() > 65535) report(m, "port", "mqtt port " + std::to_string(m.port()) + " is out of range 1..65535");
    if (!m.client_id().empty() && m.client_id().size() > 128) {
      report(m, "client_id", "mqtt client_id is longer than 128 characters");
    }
    check_topics(m);
    if (m.has_tls()) {
      const auto& tls = m.tls();
      if (tls.cert_file().empty() != tls.key_file().empty()) {
        report(tls, "", "mqtt tls: a client certificate needs both cert_file and key_file");
      }
    }
    const bool has_password = !m.password_file().empty() || !m.password_env().empty();
    if (!m.password_file().empty() && !m.password_env().empty()) {
      report(m, "password_env", "mqtt: give the password in password_file or password_env, not both");
    }
    if (has_password && m.username().empty()) report(m, "", "mqtt: a password needs a username");
    if (m.keepalive_s() != 0 && (m.keepalive_s() < 5 || m.keepalive_s() > 65535)) {
      report(m, "keepalive_s", "mqtt keepalive_s " + std::to_string(m.keepalive_s()) + " is out of range 5..65535");
    }
    if (m.buffer_messages() != 0 && m.buffer_messages() < 100) {
      report(m, "buffer_messages", "mqtt buffer_messages " + std::to_string(m.buffer_messages()) +
                                       " is too small to ride out a broker restart (at least 100)");
    }
    if (m.buffer_bytes() != 0 && m.buffer_bytes() < 64 * 1024) {
      report(m, "buffer_bytes", "mqtt buffer_bytes " + std::to_string(m.buffer_bytes()) + " is below 65536");
    }
    if (m.readings_interval_ms() != 0 && (m.readings_interval_ms() < 100 || m.readings_interval_ms() > 3'600'000)) {
      report(m, "readings_interval_ms",
             "mqtt readings_interval_ms " + std::to_string(m.readings_interval_ms()) + " is out of range 100..3600000");
    }
    if (m.reconnect_max_s() > 3600) {
      report(m, "reconnect_max_s", "mqtt reconnect_max_s " + std::to_string(m.reconnect_max_s()) + " is out of range 1..3600");
    }
    if (m.command_window_s() != 0 && (m.command_window_s() < 5 || m.command_window_s() > 3600)) {
      report(m, "command_window_s", "mqtt command_window_s " + std::to_string(m.command_window_s()) + " is out of range 5..3600");
    }
    check_command_keys(m);
  }

  void check_topics(const v1::MqttSettings& m) {
    if (!m.topic_prefix().empty()) {
      const std::string& p = m.topic_prefix();
      bool ok = p.front() != '/' && p.back() != '/';
      for (std::size_t start = 0; ok && start <= p.size();) {
        const auto slash = p.find('/', start);
        ok = valid_topic_level(std::string_view(p).substr(start, slash == std::string::npos ? std::string::npos : slash - start));
        if (slash == std::string::npos) break;
        start = slash + 1;
      }
      if (!ok) {
        report(m, "topic_prefix", "mqtt topic_prefix " + q(p) +
                                      " must be levels separated by single '/', without '+', '#' or a leading or trailing '/'");
      }
    } else if (!valid_topic_level(venue_.id()) && !venue_.id().empty()) {
      report(m, "", "the venue id " + q(venue_.id()) + " cannot be part of an MQTT topic ('/', '+', '#'): set mqtt topic_prefix");
    }
    // Readings and zone states are published under their zone, device and point names.
    for (const auto& zone : venue_.zones()) {
      if (!zone.id().empty() && !valid_topic_level(zone.id())) {
        report(zone, "id", "zone id " + q(zone.id()) + " cannot be an MQTT topic level ('/', '+', '#') while mqtt is configured");
      }
    }
    for (const auto& device : venue_.devices()) {
      if (!device.id().empty() && !valid_topic_level(device.id())) {
        report(device, "id", "device id " + q(device.id()) + " cannot be an MQTT topic level ('/', '+', '#') while mqtt is configured");
      }
    }
  }

  void check_command_keys(const v1::MqttSettings& m) {
    if (m.commands() && m.command_keys_size() == 0) {
      report(m, "commands", "mqtt commands need at least one entry in command_keys to check signatures with");
    }
    std::set<std::string> seen;
    for (const auto& key : m.command_keys()) {
      if (key.id().empty()) {
        report(key, "", "an mqtt command key has no id");
      } else if (!seen.insert(key.id()).second) {
        report(key, "id", "duplicate mqtt command key id " + q(key.id()));
      } else if (key.id().find_first_of("/ ") != std::string::npos) {
        report(key, "id", "mqtt command key id " + q(key.id()) + " cannot contain '/' or spaces");
      }
      if (key.secret_file().empty() == key.secret_env().empty()) {
        report(key, "", "mqtt command key " + q(key.id()) + " needs exactly one of secret_file and secret_env");
      }
    }
  }

  const v1::Venue& venue_;
  const SourceMap& sources_;
  std::vector<Diagnostic>& errors_;
};

}  // namespace

void validate_fleet(const v1::Venue& venue, const SourceMap& sources, std::vector<Diagnostic>& errors) {
  FleetValidator(venue, sources, errors).run();
}

}  // namespace atmo::config
