// Three venues on one real mosquitto broker: a subscriber sees all three; the broker stops and
// comes back while the daemons keep measuring, and every message (sequence numbers 1..n per venue)
// arrives; a killed daemon's last will says "offline"; remote scene commands are refused without a
// valid signature or where they are off, and applied with one.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "config/atmo.pb.h"
#include "controller/fleet/mqtt_commands.hpp"
#include "controller/fleet/mqtt_payloads.hpp"
#include "fleet_rig.hpp"

using namespace atmo::fleet;
using namespace atmo::fleet::test;
namespace v1 = atmo::v1;

namespace {

constexpr const char* kSecret = "fleet-test-shared-secret-0123456789";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// "atmo/<venue>/<rest>" -> venue, rest.
std::pair<std::string, std::string> split_topic(const std::string& topic) {
  const auto a = topic.find('/');
  const auto b = topic.find('/', a + 1);
  if (a == std::string::npos || b == std::string::npos) return {"", ""};
  return {topic.substr(a + 1, b - a - 1), topic.substr(b + 1)};
}

v1::PayloadFormat format_of(const std::string& venue) {
  return venue == "venue-c" ? v1::PAYLOAD_FORMAT_JSON : v1::PAYLOAD_FORMAT_PROTOBUF;
}

/// The message a topic carries, decoded; nothing for our own commands or an undecodable payload.
std::unique_ptr<google::protobuf::Message> decode(const Received& r) {
  const auto [venue, rest] = split_topic(r.topic);
  std::unique_ptr<google::protobuf::Message> m;
  if (rest == "status") m = std::make_unique<v1::FleetStatus>();
  else if (rest.rfind("readings/", 0) == 0) m = std::make_unique<v1::FleetReading>();
  else if (rest.rfind("zones/", 0) == 0) m = std::make_unique<v1::FleetZoneState>();
  else if (rest == "alarms") m = std::make_unique<v1::FleetAlarmList>();
  else if (rest == "events") m = std::make_unique<v1::FleetEvent>();
  else if (rest == "command/result") m = std::make_unique<v1::FleetCommandResult>();
  else return nullptr;
  if (!decode_payload(r.payload, format_of(venue), *m).ok()) return nullptr;
  return m;
}

std::uint64_t seq_of(const google::protobuf::Message& m) {
  const auto* f = m.GetDescriptor()->FindFieldByName("seq");
  return f ? m.GetReflection()->GetUInt64(m, f) : 0;
}

template <class T>
std::vector<T> decoded(const std::vector<Received>& all, const std::string& venue, const std::string& rest_prefix) {
  std::vector<T> out;
  for (const auto& r : all) {
    const auto [v, rest] = split_topic(r.topic);
    if (v != venue || rest.rfind(rest_prefix, 0) != 0) continue;
    if (auto m = decode(r)) {
      if (auto* t = dynamic_cast<T*>(m.get())) out.push_back(*t);
    }
  }
  return out;
}

/// Sequence numbers seen per venue (the last will, seq 0, is the broker's, not the daemon's).
std::map<std::string, std::set<std::uint64_t>> seqs(const std::vector<Received>& all) {
  std::map<std::string, std::set<std::uint64_t>> out;
  for (const auto& r : all) {
    auto m = decode(r);
    if (!m) continue;
    if (const auto s = seq_of(*m); s > 0) out[split_topic(r.topic).first].insert(s);
  }
  return out;
}

/// "" when 1..max are all there, else the first missing ranges.
std::string gaps(const std::set<std::uint64_t>& s) {
  if (s.empty()) return "nothing received";
  std::string out;
  std::uint64_t expect = 1;
  for (auto v : s) {
    if (v != expect && out.size() < 200) out += std::to_string(expect) + ".." + std::to_string(v - 1) + " ";
    expect = v + 1;
  }
  return out;
}

v1::FleetCommand scene_command(const std::string& id, const std::string& venue) {
  v1::FleetCommand c;
  c.set_id(id);
  c.set_venue(venue);
  c.set_time_ms(now_ms());
  c.set_who("alice");
  c.set_why("deep clean before the private event");
  c.set_venue_scene("cleaning");
  return c;
}

std::vector<v1::FleetCommandResult> results_for(const std::vector<Received>& all, const std::string& venue,
                                                const std::string& id) {
  std::vector<v1::FleetCommandResult> out;
  for (const auto& r : decoded<v1::FleetCommandResult>(all, venue, "command/result")) {
    if (r.command_id() == id) out.push_back(r);
  }
  return out;
}

std::string venue_extra(int broker_port, const std::string& key_file, bool commands, bool json) {
  std::string y = "mqtt:\n"
                  "  host: 127.0.0.1\n"
                  "  port: " + std::to_string(broker_port) + "\n"
                  "  keepalive_s: 5\n"
                  "  reconnect_max_s: 2\n";
  if (json) y += "  payload: json\n";
  if (commands) {
    y += "  commands: true\n"
         "  command_keys:\n"
         "    - {id: hq-ops, secret_file: " + key_file + "}\n";
  }
  return y;
}

}  // namespace

TEST_CASE("three venues publish to one broker through its restart, with last will and signed commands", "[fleet][mqtt][process]") {
  const auto started = std::chrono::steady_clock::now();
  TempDir dir("fleet-broker");
  const auto key_file = (dir.path() / "hq.key").string();
  std::ofstream(key_file) << kSecret << "\n";

  Broker broker(dir.path() / "broker", free_port());
  broker.start();
  Subscriber sub(broker.port(), "fleet-test-observer", "atmo/#");
  REQUIRE(sub.wait_for([&](const auto&) { return sub.connected(); }, 10s));

  const std::vector<std::string> ids{"venue-a", "venue-b", "venue-c"};
  std::map<std::string, std::unique_ptr<VenueDaemon>> venues;
  venues["venue-a"] = std::make_unique<VenueDaemon>(
      dir.path(), write_demo_venue(dir.path(), "venue-a", venue_extra(broker.port(), key_file, true, false)));
  venues["venue-b"] = std::make_unique<VenueDaemon>(
      dir.path(), write_demo_venue(dir.path(), "venue-b", venue_extra(broker.port(), key_file, false, false)));
  venues["venue-c"] = std::make_unique<VenueDaemon>(
      dir.path(), write_demo_venue(dir.path(), "venue-c", venue_extra(broker.port(), key_file, true, true)));
  for (auto& [id, v] : venues) {
    INFO(id);
    REQUIRE(v->api_port() > 0);
  }

  // ---- the subscriber sees all three: online, readings, zone states --------------------------
  auto online_and_measuring = [&](const std::vector<Received>& all) {
    for (const auto& id : ids) {
      bool online = false;
      for (const auto& s : decoded<v1::FleetStatus>(all, id, "status")) online = online || s.online();
      if (!online || decoded<v1::FleetReading>(all, id, "readings/").empty() || decoded<v1::FleetZoneState>(all, id, "zones/").empty()) {
        return false;
      }
    }
    return true;
  };
  REQUIRE(sub.wait_for(online_and_measuring, 45s));
  {
    const auto all = sub.messages();
    auto readings = decoded<v1::FleetReading>(all, "venue-a", "readings/lounge/air/temperature");
    REQUIRE_FALSE(readings.empty());
    CHECK(readings.back().point() == "lounge.air.temperature");
    CHECK(readings.back().unit() == "°C");
    CHECK(readings.back().venue() == "venue-a");
    // The JSON venue's payloads are protobuf's JSON mapping of the same message.
    bool json_seen = false;
    for (const auto& r : all) json_seen = json_seen || (split_topic(r.topic).first == "venue-c" && r.payload.find("\"venue\":\"venue-c\"") != std::string::npos);
    CHECK(json_seen);
    // Retained last state: a newcomer gets the latest zone state and reading at once.
    Subscriber late(broker.port(), "fleet-test-late", "atmo/venue-b/#");
    const auto retained_topics = [&late] {
      std::string out;
      for (const auto& r : late.messages()) {
        if (r.retain) out += r.topic + " ";
      }
      return out.empty() ? std::string("none") : out;
    };
    const bool retained_state = late.wait_for([](const std::vector<Received>& m) {
      bool zone = false, reading = false, status = false;
      for (const auto& r : m) {
        zone = zone || (r.retain && r.topic == "atmo/venue-b/zones/lounge");
        reading = reading || (r.retain && r.topic == "atmo/venue-b/readings/lounge/air/temperature");
        status = status || (r.retain && r.topic == "atmo/venue-b/status");
      }
      return zone && reading && status;
    }, 10s);
    INFO("retained messages the newcomer got: " << retained_topics());
    CHECK(retained_state);
  }

  // ---- the broker goes away for a while and comes back -------------------------------------
  const auto stop_ms = now_ms();
  broker.stop();
  std::this_thread::sleep_for(3s);  // the daemons measure on and buffer
  const auto restart_ms = now_ms();
  broker.start();
  auto complete_after_restart = [&](const std::vector<Received>& all) {
    for (const auto& id : ids) {
      bool later = false;
      for (const auto& r : decoded<v1::FleetReading>(all, id, "readings/")) later = later || r.time_ms() > restart_ms + 1500;
      if (!later) return false;
    }
    for (const auto& [id, s] : seqs(all)) {
      if (!gaps(s).empty()) return false;
    }
    return true;
  };
  const bool complete = sub.wait_for(complete_after_restart, 30s);
  {
    const auto all = sub.messages();
    for (const auto& id : ids) {
      const auto s = seqs(all)[id];
      INFO(id << ": " << s.size() << " messages, seq up to " << (s.empty() ? 0 : *s.rbegin()) << "; missing: " << gaps(s));
      CHECK(gaps(s).empty());
      // Readings taken while the broker was away arrived once it was back.
      bool during_outage = false;
      for (const auto& r : decoded<v1::FleetReading>(all, id, "readings/")) {
        during_outage = during_outage || (r.time_ms() > stop_ms + 500 && r.time_ms() < restart_ms - 500);
      }
      CHECK(during_outage);
      for (const auto& st : decoded<v1::FleetStatus>(all, id, "status")) CHECK(st.dropped() == 0);
    }
    if (!complete) FAIL("not every message arrived after the broker restart; broker log:\n" << broker.log());
  }

  // ---- remote commands ---------------------------------------------------------------------
  const CommandKey key{"hq-ops", kSecret};
  // Commands are off at venue-b: a correctly signed one is not even listened to.
  sub.publish("atmo/venue-b/command", sign_command(scene_command("b-1", "venue-b"), key, v1::PAYLOAD_FORMAT_PROTOBUF));
  // Wrong secret at venue-a: refused, answered and audited; nothing changes.
  sub.publish("atmo/venue-a/command",
              sign_command(scene_command("bad-1", "venue-a"), CommandKey{"hq-ops", "not-the-secret-0123456789"}, v1::PAYLOAD_FORMAT_PROTOBUF));
  REQUIRE(sub.wait_for([](const auto& all) { return !results_for(all, "venue-a", "bad-1").empty(); }, 15s));
  {
    const auto r = results_for(sub.messages(), "venue-a", "bad-1").front();
    CHECK_FALSE(r.accepted());
    CHECK_THAT(r.error(), Catch::Contains("bad signature"));
    CHECK(r.who() == "mqtt:unverified");
  }
  // A signed command for venue-a: applied through the controller, audited, answered.
  const auto good = sign_command(scene_command("ok-1", "venue-a"), key, v1::PAYLOAD_FORMAT_PROTOBUF);
  sub.publish("atmo/venue-a/command", good);
  REQUIRE(sub.wait_for([](const auto& all) { return !results_for(all, "venue-a", "ok-1").empty(); }, 15s));
  CHECK(results_for(sub.messages(), "venue-a", "ok-1").front().accepted());
  CHECK(results_for(sub.messages(), "venue-a", "ok-1").front().who() == "mqtt:hq-ops/alice");
  CHECK(sub.wait_for([](const auto& all) {
    for (const auto& z : decoded<v1::FleetZoneState>(all, "venue-a", "zones/lounge")) {
      if (z.scene() == "cleaning" && z.cause_who() == "mqtt:hq-ops/alice" && z.cause_why() == "deep clean before the private event") return true;
    }
    return false;
  }, 10s));
  CHECK(sub.wait_for([](const auto& all) {
    bool accepted = false, refused = false;
    for (const auto& e : decoded<v1::FleetEvent>(all, "venue-a", "events")) {
      accepted = accepted || (e.kind() == "fleet.command.accepted" && e.who() == "mqtt:hq-ops/alice" && e.subject() == "ok-1" &&
                              e.message().find("cleaning") != std::string::npos &&
                              e.message().find("deep clean") != std::string::npos);
      refused = refused || (e.kind() == "fleet.command.refused" && e.subject() == "bad-1" && e.who() == "mqtt:unverified" &&
                            e.message().find("bad signature") != std::string::npos &&
                            e.message().find("claiming key 'hq-ops' and person 'alice'") != std::string::npos);
    }
    return accepted && refused;
  }, 10s));
  // The same signed payload again: a replay.
  sub.publish("atmo/venue-a/command", good);
  REQUIRE(sub.wait_for([](const auto& all) { return results_for(all, "venue-a", "ok-1").size() >= 2; }, 15s));
  {
    const auto r = results_for(sub.messages(), "venue-a", "ok-1")[1];
    CHECK_FALSE(r.accepted());
    CHECK_THAT(r.error(), Catch::Contains("already received"));
  }
  // venue-c speaks JSON: a zone command signed over the command's JSON text.
  {
    auto c = scene_command("json-1", "venue-c");
    c.clear_venue_scene();
    c.set_zone("tea");
    c.set_zone_scene("cleaning");
    sub.publish("atmo/venue-c/command", sign_command(c, key, v1::PAYLOAD_FORMAT_JSON));
    REQUIRE(sub.wait_for([](const auto& all) { return !results_for(all, "venue-c", "json-1").empty(); }, 15s));
    CHECK(results_for(sub.messages(), "venue-c", "json-1").front().accepted());
    CHECK(sub.wait_for([](const auto& all) {
      for (const auto& z : decoded<v1::FleetZoneState>(all, "venue-c", "zones/tea")) {
        if (z.scene() == "cleaning" && z.cause_who() == "mqtt:hq-ops/alice") return true;
      }
      return false;
    }, 10s));
  }
  {
    const auto all = sub.messages();
    CHECK(results_for(all, "venue-b", "b-1").empty());
    for (const auto& z : decoded<v1::FleetZoneState>(all, "venue-b", "zones/")) CHECK(z.cause_who().rfind("mqtt:", 0) != 0);
  }

  // ---- a daemon that vanishes: the broker publishes its last will --------------------------
  venues["venue-c"]->daemon().signal(SIGKILL);
  CHECK(sub.wait_for([](const auto& all) {
    for (const auto& s : decoded<v1::FleetStatus>(all, "venue-c", "status")) {
      if (!s.online() && s.seq() == 0) return true;
    }
    return false;
  }, 15s));

  // ---- a daemon that stops cleanly says "offline" itself, with its last messages before it ----
  venues["venue-a"]->daemon().signal(SIGTERM);
  CHECK(venues["venue-a"]->daemon().wait(20s) == std::optional<int>(0));
  CHECK(sub.wait_for([](const auto& all) {
    for (const auto& s : decoded<v1::FleetStatus>(all, "venue-a", "status")) {
      if (!s.online() && s.seq() > 0) return true;
    }
    return false;
  }, 10s));
  {
    const auto s = seqs(sub.messages())["venue-a"];
    INFO("venue-a missing: " << gaps(s));
    CHECK(gaps(s).empty());
  }
  for (auto& [id, v] : venues) {
    v->daemon().signal(SIGTERM);
    v->sim().signal(SIGTERM);
  }
  for (auto& [id, v] : venues) {
    (void)v->daemon().wait(20s);
    (void)v->sim().wait(10s);
  }
  broker.stop();
  const auto took = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  INFO("the fleet test took " << took.count() << " s");
  CHECK(took < 90s);  // the issue's budget is ~60 s on CI; this bounds a hang, not the speed
}
