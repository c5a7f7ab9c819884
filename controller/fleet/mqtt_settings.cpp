#include "controller/fleet/mqtt_settings.hpp"

#include <charconv>

#include "controller/fleet/mqtt_payloads.hpp"

namespace atmo::fleet {

namespace {
/// A shared secret short enough to guess offline from one captured command is no protection.
constexpr std::size_t kMinCommandSecret = 16;
}  // namespace

Result<MqttConfig> resolve_mqtt_config(const std::string& venue_id, const v1::MqttSettings& s, const EnvLookup& getenv) {
  if (s.host().empty()) return make_error("mqtt: no broker host is configured");
  MqttConfig c;
  c.venue_id = venue_id;
  auto& o = c.client;
  o.host = s.host();
  o.tls = s.has_tls();
  o.port = s.port() != 0 ? static_cast<int>(s.port()) : (o.tls ? 8883 : 1883);
  o.client_id = s.client_id().empty() ? "atmo-" + venue_id : s.client_id();
  if (s.keepalive_s() != 0) o.keepalive = std::chrono::seconds(s.keepalive_s());
  o.username = s.username();
  if (!s.password_file().empty() || !s.password_env().empty()) {
    auto password = read_secret("the mqtt password", s.password_file(), s.password_env(), getenv);
    if (!password) return password.error();
    o.password = std::move(password).value();
  }
  if (o.tls) {
    o.tls_ca_file = s.tls().ca_file();
    o.tls_cert_file = s.tls().cert_file();
    o.tls_key_file = s.tls().key_file();
  }
  if (s.buffer_messages() != 0) o.buffer_messages = s.buffer_messages();
  if (s.buffer_bytes() != 0) o.buffer_bytes = static_cast<std::size_t>(s.buffer_bytes());
  if (s.reconnect_max_s() != 0) o.reconnect_max = std::chrono::seconds(s.reconnect_max_s());
  c.topic_prefix = s.topic_prefix().empty() ? default_topic_prefix(venue_id) : s.topic_prefix();
  c.format = s.payload() == v1::PAYLOAD_FORMAT_JSON ? v1::PAYLOAD_FORMAT_JSON : v1::PAYLOAD_FORMAT_PROTOBUF;
  if (s.readings_interval_ms() != 0) c.readings_interval = std::chrono::milliseconds(s.readings_interval_ms());
  if (s.command_window_s() != 0) c.command_window = std::chrono::seconds(s.command_window_s());
  c.commands = s.commands();
  for (const auto& key : s.command_keys()) {
    auto secret = read_secret("mqtt command key '" + key.id() + "'", key.secret_file(), key.secret_env(), getenv,
                              kMinCommandSecret);
    if (!secret) return secret.error();
    c.command_keys.push_back(CommandKey{key.id(), std::move(secret).value()});
  }
  if (c.commands && c.command_keys.empty()) return make_error("mqtt: commands are on but no command_keys are configured");
  return c;
}

Result<v1::MqttSettings> mqtt_settings_for_broker(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  const auto bad = make_error("--mqtt '" + host_port + "' must be HOST:PORT, e.g. 127.0.0.1:1883");
  if (colon == std::string::npos || colon == 0 || colon + 1 == host_port.size()) return bad;
  std::string host = host_port.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const char* first = host_port.data() + colon + 1;
  const char* last = host_port.data() + host_port.size();
  auto [end, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || end != last || port == 0 || port > 65535 || host.empty()) return bad;
  v1::MqttSettings s;
  s.set_host(host);
  s.set_port(port);
  return s;
}

}  // namespace atmo::fleet
