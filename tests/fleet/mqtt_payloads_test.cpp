// Payloads on the broker: the topic tree, binary and JSON encodings of the Fleet* messages, and
// the signed commands (HMAC-SHA256, venue, time window, replays).
#include <catch2/catch.hpp>

#include <chrono>

#include "controller/fleet/mqtt_commands.hpp"
#include "controller/fleet/mqtt_payloads.hpp"

using namespace atmo::fleet;
namespace v1 = atmo::v1;

namespace {

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

constexpr atmo::TimeMs kNow = 1'790'000'000'000;

v1::FleetCommand command(std::string id, std::string venue = "venue-a", atmo::TimeMs at = kNow) {
  v1::FleetCommand c;
  c.set_id(std::move(id));
  c.set_venue(std::move(venue));
  c.set_time_ms(at);
  c.set_who("alice");
  c.set_why("private event");
  c.set_venue_scene("evening");
  return c;
}

const CommandKey kKey{"hq-ops", "a-shared-secret-of-enough-length"};

}  // namespace

TEST_CASE("the topic tree sits under the venue's prefix", "[fleet][mqtt]") {
  CHECK(default_topic_prefix("aurora-spa") == "atmo/aurora-spa");
  const FleetTopics t("atmo/aurora-spa");
  CHECK(t.status() == "atmo/aurora-spa/status");
  CHECK(t.zone("lounge") == "atmo/aurora-spa/zones/lounge");
  CHECK(t.alarms() == "atmo/aurora-spa/alarms");
  CHECK(t.events() == "atmo/aurora-spa/events");
  CHECK(t.command() == "atmo/aurora-spa/command");
  CHECK(t.command_result() == "atmo/aurora-spa/command/result");
}

TEST_CASE("Fleet messages round-trip as binary protobuf and as protobuf's JSON mapping", "[fleet][mqtt]") {
  v1::FleetReading r;
  r.set_venue("aurora-spa");
  r.set_seq(42);
  r.set_point("lounge.air.temperature");
  r.set_time_ms(kNow);
  r.set_value(23.5);
  r.set_quality(v1::QUALITY_GOOD);
  r.set_unit("°C");

  const auto binary = encode_payload(r, v1::PAYLOAD_FORMAT_PROTOBUF);
  v1::FleetReading back;
  REQUIRE(decode_payload(binary, v1::PAYLOAD_FORMAT_PROTOBUF, back).ok());
  CHECK(back.SerializeAsString() == r.SerializeAsString());

  const auto json = encode_payload(r, v1::PAYLOAD_FORMAT_JSON);
  CHECK_THAT(json, Catch::Contains("\"timeMs\":\"1790000000000\""));  // int64 as a string, per the mapping
  CHECK_THAT(json, Catch::Contains("\"quality\":\"QUALITY_GOOD\""));
  CHECK_THAT(json, Catch::Contains("\"seq\":\"42\""));
  v1::FleetReading from_json;
  REQUIRE(decode_payload(json, v1::PAYLOAD_FORMAT_JSON, from_json).ok());
  CHECK(from_json.SerializeAsString() == r.SerializeAsString());

  // A false or zero field is printed: "online": false is the news of a status message.
  v1::FleetStatus offline;
  offline.set_venue("aurora-spa");
  CHECK_THAT(encode_payload(offline, v1::PAYLOAD_FORMAT_JSON), Catch::Contains("\"online\":false"));
}

TEST_CASE("payloads that are not the expected message are errors", "[fleet][mqtt]") {
  v1::FleetSignedCommand m;
  auto bad_json = decode_payload("{\"keyId\":\"a\",\"extra\":1}", v1::PAYLOAD_FORMAT_JSON, m);
  REQUIRE_FALSE(bad_json.ok());
  CHECK_THAT(bad_json.error().message, Catch::Contains("FleetSignedCommand"));
  CHECK_FALSE(decode_payload("not json", v1::PAYLOAD_FORMAT_JSON, m).ok());
  CHECK_FALSE(decode_payload(std::string("\xff\xff\xff\xff", 4), v1::PAYLOAD_FORMAT_PROTOBUF, m).ok());
}

TEST_CASE("HMAC-SHA256 matches RFC 4231", "[fleet][mqtt]") {
  CHECK(hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("a signed command for this venue within the window is accepted once", "[fleet][mqtt]") {
  for (auto format : {v1::PAYLOAD_FORMAT_PROTOBUF, v1::PAYLOAD_FORMAT_JSON}) {
    CommandVerifier verifier("venue-a", {kKey}, std::chrono::seconds(60), format);
    const auto payload = sign_command(command("c-1"), kKey, format);
    auto first = verifier.verify(payload, kNow + 5'000);
    CHECK(first.accepted);
    CHECK(first.signature_ok);
    CHECK(first.reason.empty());
    CHECK(first.key_id == "hq-ops");
    CHECK(first.command.venue_scene() == "evening");
    CHECK(first.command.who() == "alice");
    auto replay = verifier.verify(payload, kNow + 6'000);
    CHECK_FALSE(replay.accepted);
    CHECK_THAT(replay.reason, Catch::Contains("already received"));
  }
}

TEST_CASE("commands without the right signature are refused before anything in them counts", "[fleet][mqtt]") {
  CommandVerifier verifier("venue-a", {kKey}, std::chrono::seconds(60), v1::PAYLOAD_FORMAT_PROTOBUF);
  const auto fmt = v1::PAYLOAD_FORMAT_PROTOBUF;

  auto wrong_secret = verifier.verify(sign_command(command("c-1"), CommandKey{"hq-ops", "another-secret-of-some-length"}, fmt), kNow);
  CHECK_FALSE(wrong_secret.accepted);
  CHECK_FALSE(wrong_secret.signature_ok);
  CHECK_THAT(wrong_secret.reason, Catch::Contains("bad signature"));
  CHECK(wrong_secret.command.id() == "c-1");  // read for the answer only

  auto unknown_key = verifier.verify(sign_command(command("c-1"), CommandKey{"intruder", kKey.secret}, fmt), kNow);
  CHECK_FALSE(unknown_key.accepted);
  CHECK_THAT(unknown_key.reason, Catch::Contains("unknown key 'intruder'"));

  v1::FleetSignedCommand unsigned_command;
  unsigned_command.set_command(encode_payload(command("c-1"), fmt));
  auto none = verifier.verify(encode_payload(unsigned_command, fmt), kNow);
  CHECK_FALSE(none.accepted);
  CHECK_THAT(none.reason, Catch::Contains("not signed"));

  // A signed command changed on the way (another scene) no longer matches its signature.
  v1::FleetSignedCommand tampered;
  REQUIRE(decode_payload(sign_command(command("c-1"), kKey, fmt), fmt, tampered).ok());
  auto changed = command("c-1");
  changed.set_venue_scene("closed");
  tampered.set_command(encode_payload(changed, fmt));
  CHECK_THAT(verifier.verify(encode_payload(tampered, fmt), kNow).reason, Catch::Contains("bad signature"));

  CHECK_THAT(verifier.verify("garbage", kNow).reason, Catch::Contains("unreadable"));

  // None of the refusals above used up the id: the genuine command still goes through.
  CHECK(verifier.verify(sign_command(command("c-1"), kKey, fmt), kNow).accepted);
}

TEST_CASE("a command for another venue, too old, from the future or without an id is refused", "[fleet][mqtt]") {
  CommandVerifier verifier("venue-a", {kKey}, std::chrono::seconds(60), v1::PAYLOAD_FORMAT_PROTOBUF);
  const auto fmt = v1::PAYLOAD_FORMAT_PROTOBUF;
  CHECK_THAT(verifier.verify(sign_command(command("c-1", "venue-b"), kKey, fmt), kNow).reason,
             Catch::Contains("for venue 'venue-b', this is 'venue-a'"));
  CHECK_THAT(verifier.verify(sign_command(command("c-2", "venue-a", kNow - 61'000), kKey, fmt), kNow).reason,
             Catch::Contains("outside the window"));
  CHECK_THAT(verifier.verify(sign_command(command("c-3", "venue-a", kNow + 61'000), kKey, fmt), kNow).reason,
             Catch::Contains("outside the window"));
  CHECK_THAT(verifier.verify(sign_command(command("c-4", "venue-a", INT64_MIN), kKey, fmt), kNow).reason,
             Catch::Contains("outside the window"));
  CHECK_THAT(verifier.verify(sign_command(command(""), kKey, fmt), kNow).reason, Catch::Contains("no id"));
  CHECK(verifier.verify(sign_command(command("c-5", "venue-a", kNow - 59'000), kKey, fmt), kNow).accepted);
}

TEST_CASE("ids are remembered for the window only, then the time check stops replays", "[fleet][mqtt]") {
  CommandVerifier verifier("venue-a", {kKey}, std::chrono::seconds(60), v1::PAYLOAD_FORMAT_PROTOBUF);
  const auto fmt = v1::PAYLOAD_FORMAT_PROTOBUF;
  const auto payload = sign_command(command("c-1"), kKey, fmt);
  REQUIRE(verifier.verify(payload, kNow).accepted);
  CHECK_THAT(verifier.verify(payload, kNow + 61'000).reason, Catch::Contains("outside the window"));
  // The same id signed anew, an hour later, is a new command.
  CHECK(verifier.verify(sign_command(command("c-1", "venue-a", kNow + 3'600'000), kKey, fmt), kNow + 3'600'000).accepted);
}
