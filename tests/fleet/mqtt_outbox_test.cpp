// The buffer while the broker is away: nothing lost within the bound, the oldest waiting messages
// give way beyond it, and what the broker holds unacknowledged is never dropped.
#include <catch2/catch.hpp>

#include "controller/fleet/mqtt_outbox.hpp"

using atmo::fleet::MqttOutbox;
using atmo::fleet::OutboundMessage;

namespace {
OutboundMessage msg(int n, std::size_t payload = 10) {
  return OutboundMessage{"t/" + std::to_string(n), std::string(payload, 'x'), false};
}
}  // namespace

TEST_CASE("within the bound every message leaves in order", "[fleet][mqtt]") {
  MqttOutbox box(100, 1 << 20);
  for (int i = 0; i < 100; ++i) CHECK(box.push(msg(i)) == 0);
  CHECK(box.messages() == 100);
  CHECK(box.dropped() == 0);
  for (int i = 0; i < 100; ++i) {
    REQUIRE(box.can_send(1000));
    CHECK(box.front().topic == "t/" + std::to_string(i));
    box.sent(i + 1);
  }
  CHECK_FALSE(box.can_send(1000));
  for (int i = 0; i < 100; ++i) CHECK(box.acknowledged(i + 1));
  CHECK(box.empty());
  CHECK(box.bytes() == 0);
  CHECK(box.acknowledged_total() == 100);
}

TEST_CASE("beyond the message bound the oldest waiting messages are dropped and counted", "[fleet][mqtt]") {
  MqttOutbox box(5, 1 << 20);
  for (int i = 0; i < 8; ++i) box.push(msg(i));
  CHECK(box.messages() == 5);
  CHECK(box.dropped() == 3);
  CHECK(box.front().topic == "t/3");  // 0, 1 and 2 gave way
}

TEST_CASE("the byte bound counts topic and payload", "[fleet][mqtt]") {
  MqttOutbox box(1000, 100);  // each message: 3-byte topic + 27-byte payload = 30 bytes
  for (int i = 0; i < 3; ++i) CHECK(box.push(msg(i, 27)) == 0);
  CHECK(box.bytes() == 90);
  CHECK(box.push(msg(3, 27)) == 1);
  CHECK(box.bytes() == 90);
  CHECK(box.front().topic == "t/1");
  // One message bigger than the whole bound cannot be kept at all.
  CHECK(box.push(msg(4, 200)) == 1);
  CHECK(box.dropped() == 2);
  CHECK(box.messages() == 3);
}

TEST_CASE("messages the broker has not acknowledged are never dropped", "[fleet][mqtt]") {
  MqttOutbox box(3, 1 << 20);
  for (int i = 0; i < 3; ++i) box.push(msg(i));
  box.sent(10);
  box.sent(11);
  box.sent(12);
  CHECK(box.in_flight() == 3);
  // No waiting message can make room: the new one is the one dropped.
  CHECK(box.push(msg(3)) == 1);
  CHECK(box.in_flight() == 3);
  CHECK(box.waiting() == 0);
  CHECK(box.acknowledged(11));
  CHECK_FALSE(box.acknowledged(11));  // twice: unknown the second time
  CHECK_FALSE(box.acknowledged(99));
  CHECK(box.push(msg(4)) == 0);
  CHECK(box.can_send(3));
  CHECK_FALSE(box.can_send(2));  // the in-flight window is full
}

TEST_CASE("a message the client library refuses counts as dropped", "[fleet][mqtt]") {
  MqttOutbox box(10, 1 << 20);
  box.push(msg(0));
  box.push(msg(1));
  box.discard_front();
  CHECK(box.dropped() == 1);
  CHECK(box.front().topic == "t/1");
  CHECK(box.bytes() == msg(1).bytes());
}
