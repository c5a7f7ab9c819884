// The venue's `metrics` and `mqtt` blocks: located errors from `atmo config check` and the loader,
// and the resolved settings (defaults, secrets from files and the environment).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "config/fleet_validator.hpp"
#include "config/venue_loader.hpp"
#include "controller/fleet/mqtt_settings.hpp"

namespace fs = std::filesystem;
using namespace atmo;

namespace {

/// The demo venue with `extra` appended; returns the file and the line `extra` starts on.
std::pair<fs::path, int> demo_with(const std::string& name, const std::string& extra) {
  std::ifstream in(std::string(ATMO_SOURCE_DIR) + "/config/venues/demo.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  const std::string dirs = "profile_dirs: [../profiles]";
  yaml.replace(yaml.find(dirs), dirs.size(), "profile_dirs: [" + std::string(ATMO_SOURCE_DIR) + "/config/profiles]");
  if (yaml.back() != '\n') yaml += '\n';
  const int first_line = static_cast<int>(std::count(yaml.begin(), yaml.end(), '\n')) + 1;
  const auto dir = fs::temp_directory_path() / ("atmo-fleet-settings-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto file = dir / (name + ".yaml");
  std::ofstream(file) << yaml << extra;
  return {file, first_line};
}

std::vector<std::string> errors_of(const fs::path& file) {
  std::vector<std::string> out;
  for (const auto& e : config::load_venue_file(file).errors) out.push_back(e.to_string());
  return out;
}

bool has(const std::vector<std::string>& errors, const std::string& text) {
  for (const auto& e : errors) {
    if (e.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a complete mqtt and metrics block loads", "[fleet][config]") {
  auto [file, line] = demo_with("good",
                                "metrics:\n"
                                "  bearer_token_env: ATMO_METRICS_TOKEN\n"
                                "mqtt:\n"
                                "  host: broker.chain.example\n"
                                "  port: 8883\n"
                                "  tls: {ca_file: /etc/atmo/chain-ca.pem}\n"
                                "  username: aurora\n"
                                "  password_file: /etc/atmo/mqtt-password\n"
                                "  payload: json\n"
                                "  topic_prefix: chain/riga/aurora-spa\n"
                                "  buffer_messages: 50000\n"
                                "  commands: true\n"
                                "  command_keys:\n"
                                "    - {id: hq-operations, secret_file: /etc/atmo/hq.key}\n");
  auto loaded = config::load_venue_file(file);
  for (const auto& e : loaded.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(loaded.ok());
  CHECK(loaded.venue->mqtt().payload() == v1::PAYLOAD_FORMAT_JSON);
  CHECK(loaded.venue->mqtt().has_tls());
  CHECK(loaded.venue->mqtt().command_keys(0).id() == "hq-operations");
}

TEST_CASE("mistakes in the mqtt block are reported at their line and column", "[fleet][config]") {
  auto [file, line] = demo_with("broken",
                                "mqtt:\n"                                   // +0
                                "  host: mqtt://broker:1883\n"              // +1
                                "  port: 70000\n"                           // +2
                                "  topic_prefix: chain/+/spa\n"             // +3
                                "  password_env: MQTT_PASSWORD\n"           // +4
                                "  payload: xml\n"                          // +5
                                "  keepalive_s: 2\n"                        // +6
                                "  buffer_messages: 10\n"                   // +7
                                "  commands: true\n"                        // +8
                                "  tls: {cert_file: /etc/atmo/c.pem}\n"     // +9
                                "metrics:\n"                                // +10
                                "  bearer_token_file: /etc/t\n"             // +11
                                "  bearer_token_env: T\n");                 // +12
  const auto errors = errors_of(file);
  for (const auto& e : errors) UNSCOPED_INFO(e);
  const std::string f = file.string() + ":";
  auto at = [&](int offset, int column) { return f + std::to_string(line + offset) + ":" + std::to_string(column) + ": "; };
  CHECK(has(errors, at(1, 9) + "mqtt host 'mqtt://broker:1883' must be a name or an address"));
  CHECK(has(errors, at(2, 9) + "mqtt port 70000 is out of range 1..65535"));
  CHECK(has(errors, at(3, 17) + "mqtt topic_prefix 'chain/+/spa' must be levels"));
  CHECK(has(errors, at(1, 3) + "mqtt: a password needs a username"));
  CHECK(has(errors, at(5, 12) + "unknown 'payload' value 'xml'"));
  CHECK(has(errors, at(6, 16) + "mqtt keepalive_s 2 is out of range 5..65535"));
  CHECK(has(errors, at(7, 20) + "mqtt buffer_messages 10 is too small"));
  CHECK(has(errors, at(8, 13) + "mqtt commands need at least one entry in command_keys"));
  CHECK(has(errors, at(9, 8) + "mqtt tls: a client certificate needs both cert_file and key_file"));
  CHECK(has(errors, at(12, 21) + "metrics: give the bearer token in bearer_token_file or bearer_token_env, not both"));
}

TEST_CASE("command keys need an id and exactly one secret source", "[fleet][config]") {
  auto [file, line] = demo_with("keys",
                                "mqtt:\n"
                                "  host: 10.0.0.5\n"
                                "  commands: true\n"
                                "  command_keys:\n"
                                "    - {id: hq, secret_file: /a, secret_env: B}\n"
                                "    - {id: hq, secret_env: C}\n"
                                "    - {secret_env: D}\n");
  const auto errors = errors_of(file);
  for (const auto& e : errors) UNSCOPED_INFO(e);
  CHECK(has(errors, "mqtt command key 'hq' needs exactly one of secret_file and secret_env"));
  CHECK(has(errors, "duplicate mqtt command key id 'hq'"));
  CHECK(has(errors, "an mqtt command key has no id"));
  CHECK(errors.size() == 3);
}

TEST_CASE("topic levels exclude separators and wildcards", "[fleet][config]") {
  CHECK(config::valid_topic_level("aurora-spa"));
  CHECK(config::valid_topic_level("treatment-1"));
  CHECK_FALSE(config::valid_topic_level(""));
  CHECK_FALSE(config::valid_topic_level("a/b"));
  CHECK_FALSE(config::valid_topic_level("a+"));
  CHECK_FALSE(config::valid_topic_level("#"));
  CHECK_FALSE(config::valid_topic_level(std::string("a\0b", 3)));
}

TEST_CASE("resolved mqtt settings: defaults, TLS port, secrets from the environment", "[fleet][config]") {
  v1::MqttSettings s;
  s.set_host("broker.example");
  auto plain = fleet::resolve_mqtt_config("aurora-spa", s, [](const char*) -> const char* { return nullptr; });
  REQUIRE(plain.ok());
  CHECK(plain->client.port == 1883);
  CHECK(plain->client.client_id == "atmo-aurora-spa");
  CHECK(plain->topic_prefix == "atmo/aurora-spa");
  CHECK(plain->format == v1::PAYLOAD_FORMAT_PROTOBUF);
  CHECK(plain->client.keepalive == std::chrono::seconds(30));
  CHECK(plain->client.buffer_messages == 100'000);
  CHECK(plain->client.buffer_bytes == 16u << 20);
  CHECK(plain->readings_interval == std::chrono::milliseconds(1000));
  CHECK_FALSE(plain->client.password.has_value());
  CHECK_FALSE(plain->commands);

  s.mutable_tls();
  s.set_username("aurora");
  s.set_password_env("MQTT_PASSWORD");
  auto key = s.add_command_keys();
  key->set_id("hq");
  key->set_secret_env("HQ_KEY");
  s.set_commands(true);
  auto env = [](const char* name) -> const char* {
    const std::string n = name;
    if (n == "MQTT_PASSWORD") return "pa55word";
    if (n == "HQ_KEY") return "0123456789abcdef-shared";
    return nullptr;
  };
  auto full = fleet::resolve_mqtt_config("aurora-spa", s, env);
  REQUIRE(full.ok());
  CHECK(full->client.tls);
  CHECK(full->client.port == 8883);
  CHECK(*full->client.password == "pa55word");
  REQUIRE(full->command_keys.size() == 1);
  CHECK(full->command_keys[0].secret == "0123456789abcdef-shared");

  auto short_key = [](const char* name) -> const char* {
    return std::string(name) == "HQ_KEY" ? "tiny-secret" : "pa55word";
  };
  auto refused = fleet::resolve_mqtt_config("aurora-spa", s, short_key);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("mqtt command key 'hq' is shorter than 16"));
  // The error names where the secret should be, never the secret.
  CHECK_THAT(refused.error().message, !Catch::Contains("tiny-secret"));
}

TEST_CASE("the --mqtt option takes HOST:PORT", "[fleet][config]") {
  auto ok = fleet::mqtt_settings_for_broker("127.0.0.1:1883");
  REQUIRE(ok.ok());
  CHECK(ok->host() == "127.0.0.1");
  CHECK(ok->port() == 1883);
  auto v6 = fleet::mqtt_settings_for_broker("[::1]:11883");
  REQUIRE(v6.ok());
  CHECK(v6->host() == "::1");
  for (const auto* bad : {"broker", "broker:", ":1883", "broker:0", "broker:70000", "broker:18x3"}) {
    INFO(bad);
    CHECK_FALSE(fleet::mqtt_settings_for_broker(bad).ok());
  }
}
