// GET /metrics from a running daemon (atmo serve against atmo sim): the scrape token, and text
// that a Prometheus server accepts, with the families docs/fleet.md promises.
#include <catch2/catch.hpp>

#include <signal.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "fleet_rig.hpp"

using namespace atmo::fleet::test;

namespace {

constexpr const char* kToken = "scrape-token-0123456789abcdef";

/// Checks the text format line by line: HELP and TYPE before a family's samples, valid names,
/// label sets with quoted values, a number. Returns the problems found.
std::vector<std::string> exposition_problems(const std::string& text, std::map<std::string, std::string>& types) {
  static const std::regex help(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)");
  static const std::regex type(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter)$)");
  static const std::regex sample(
      R"re(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$)re");
  std::vector<std::string> problems;
  std::set<std::string> helped;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, help)) {
      helped.insert(m[1]);
    } else if (std::regex_match(line, m, type)) {
      if (!helped.contains(m[1])) problems.push_back("TYPE before HELP: " + line);
      if (types.contains(m[1])) problems.push_back("family twice: " + line);
      types[m[1]] = m[2];
    } else if (std::regex_match(line, m, sample)) {
      if (!types.contains(m[1])) problems.push_back("sample without TYPE: " + line);
    } else {
      problems.push_back("not the text format: " + line);
    }
  }
  if (!text.empty() && text.back() != '\n') problems.push_back("no final line feed");
  return problems;
}

}  // namespace

TEST_CASE("GET /metrics on a running daemon: token, text format, the venue's families", "[fleet][metrics][process]") {
  TempDir dir("fleet-metrics");
  const auto token_file = dir.path() / "scrape.token";
  std::ofstream(token_file) << kToken << "\n";
  const auto venue = write_demo_venue(dir.path(), "metrics-spa", "metrics:\n  bearer_token_file: " + token_file.string() + "\n");
  VenueDaemon daemon(dir.path(), venue);
  const int port = daemon.api_port();

  // Without the token (and from loopback, too): 401, and a hint how to authenticate.
  const auto refused = http_request(port, "GET", "/metrics");
  CHECK(refused.status == 401);
  CHECK_THAT(refused.headers, Catch::Contains("www-authenticate: bearer"));
  CHECK(http_request(port, "GET", "/metrics", "Bearer wrong-token-0123456789abcdef").status == 401);
  CHECK(http_request(port, "POST", "/metrics", std::string("Bearer ") + kToken).status == 405);

  // Readings arrive within a poll or two; wait for the lounge's air temperature.
  HttpResponse ok;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  do {
    ok = http_request(port, "GET", "/metrics", std::string("Bearer ") + kToken);
    if (ok.body.find("atmo_reading{zone=\"lounge\",device=\"air\",point=\"temperature\"") != std::string::npos) break;
    std::this_thread::sleep_for(300ms);
  } while (std::chrono::steady_clock::now() < deadline);
  REQUIRE(ok.status == 200);
  CHECK_THAT(ok.headers, Catch::Contains("content-type: text/plain; version=0.0.4; charset=utf-8"));

  std::map<std::string, std::string> types;
  const auto problems = exposition_problems(ok.body, types);
  for (const auto& p : problems) UNSCOPED_INFO(p);
  CHECK(problems.empty());

  const std::string& b = ok.body;
  CHECK_THAT(b, Catch::Contains("atmo_venue_info{venue=\"metrics-spa\",version=\"0.1.0\"} 1\n"));
  CHECK(std::regex_search(b, std::regex(R"(\natmo_reading\{zone="lounge",device="air",point="temperature",unit="°C"\} \d+(\.\d+)?\n)")));
  CHECK(std::regex_search(b, std::regex(R"(\natmo_reading_quality\{zone="lounge",device="air",point="temperature",quality="good"\} 1\n)")));
  CHECK(std::regex_search(b, std::regex(R"(\natmo_reading_timestamp_seconds\{zone="lounge",device="air",point="temperature"\} 1\d{9}(\.\d+)?\n)")));
  // A state set: exactly one state of a zone's sense is 1.
  int sight_states = 0;
  for (const auto* state : {"ok", "drifting", "no_data", "out_of_standard", "not_applicable"}) {
    const std::string line = "atmo_zone_compliance{zone=\"lounge\",sense=\"sight\",state=\"" + std::string(state) + "\"} 1\n";
    if (b.find(line) != std::string::npos) ++sight_states;
  }
  CHECK(sight_states == 1);
  CHECK(std::regex_search(b, std::regex(R"(\natmo_zone_scene_info\{zone="lounge",scene="[a-z]+"\} 1\n)")));
  CHECK_THAT(b, Catch::Contains("atmo_device_up{zone=\"lounge\",device=\"air\",bus=\"wellness\"} 1\n"));
  CHECK(std::regex_search(b, std::regex(R"(\natmo_modbus_requests_total\{zone="lounge",device="air",bus="wellness"\} [1-9]\d*\n)")));
  CHECK_THAT(b, Catch::Contains("atmo_modbus_timeouts_total{zone=\"lounge\",device=\"air\",bus=\"wellness\"} 0\n"));
  CHECK(std::regex_search(b, std::regex(R"(\natmo_modbus_request_latency_seconds\{zone="lounge",device="air",bus="wellness",quantile="0.99"\} )")));
  CHECK_THAT(b, Catch::Contains("atmo_modbus_bus_connected{bus=\"front\"} 1\n"));
  CHECK_THAT(b, Catch::Contains("atmo_alarms_active{kind=\"fire\"} 0\n"));
  CHECK(types["atmo_alarms_raised_total"] == "counter");
  CHECK(std::regex_search(b, std::regex(R"(\natmo_events_total\{kind="controller.started"\} 1\n)")));
  // --no-audio: the audio families say there is no output rather than vanishing.
  CHECK_THAT(b, Catch::Contains("atmo_audio_playing 0\n"));
  CHECK(types["atmo_audio_output_underflows_total"] == "counter");
  CHECK(types["atmo_audio_callback_load_ratio"] == "gauge");
  // The refused scrapes above are counted by method and status.
  CHECK(std::regex_search(b, std::regex(R"(\natmo_api_requests_total\{method="GET",code="401"\} [2-9]\d*\n)")));
  CHECK(std::regex_search(b, std::regex(R"(\natmo_api_requests_total\{method="POST",code="405"\} 1\n)")));
  // No MQTT configured: no MQTT families.
  CHECK(b.find("atmo_mqtt_") == std::string::npos);
  for (const auto& [name, type] : types) {
    INFO(name);
    CHECK(name.rfind("atmo_", 0) == 0);
    CHECK((type == "counter") == name.ends_with("_total"));
  }

  daemon.daemon().signal(SIGTERM);
  CHECK(daemon.daemon().wait(20s) == std::optional<int>(0));
  daemon.sim().signal(SIGTERM);
}
