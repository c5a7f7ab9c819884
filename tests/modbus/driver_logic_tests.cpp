// The bus worker's pure parts: reading quality, device health, latency percentiles, reconnect
// backoff, error classification and RTU frame spacing. Explicit times; no bus, no thread.
#include <catch2/catch.hpp>

#include <cerrno>
#include <cmath>

#include <modbus/modbus.h>

#include "drivers/modbus/backoff.hpp"
#include "drivers/modbus/bus_url.hpp"
#include "drivers/modbus/device_health.hpp"
#include "drivers/modbus/modbus_connection.hpp"
#include "drivers/modbus/point_quality.hpp"
#include "test_venue.hpp"

using namespace atmo;
using namespace atmo::modbus;
using namespace atmo::modbus::test;
using std::chrono::milliseconds;

namespace {

std::shared_ptr<const zones::Venue> sensor_venue(unsigned offline_after = 3) {
  v1::Venue v;
  PointSpec t;
  t.name = "temperature";
  t.table = v1::REGISTER_TABLE_INPUT;
  t.range = std::pair{-20.0, 80.0};
  t.poll_ms = 1000;
  add_profile(v, "air", {t});
  add_tcp_bus(v, "bus", 1502, 300, offline_after);
  add_device(v, "lounge", "air", "air", "bus", 1);
  return zones::Venue::create(std::move(v));
}

}  // namespace

TEST_CASE("a value in range is good, outside it bad and kept for diagnosis", "[quality]") {
  auto venue = sensor_venue();
  PointTracker tracker(*venue->point("lounge.air.temperature"));
  auto good = tracker.on_value(21.5, 1000);
  CHECK(good.quality == v1::QUALITY_GOOD);
  CHECK(good.value == 21.5);
  CHECK(good.time_ms == 1000);
  CHECK(good.error.empty());

  auto bad = tracker.on_value(6553.5, 2000);
  CHECK(bad.quality == v1::QUALITY_BAD);
  CHECK(bad.value == 6553.5);
  CHECK(bad.error == "value 6553.5 is outside the valid range -20..80");
  CHECK(tracker.last_good() == 21.5);
}

TEST_CASE("an exception makes a bad reading with the error text, never a 0", "[quality]") {
  auto venue = sensor_venue();
  PointTracker tracker(*venue->point("lounge.air.temperature"));
  auto bad = tracker.on_bad("Illegal data address (unit 1, input 0)", 5);
  CHECK(bad.quality == v1::QUALITY_BAD);
  CHECK(std::isnan(bad.value));
  CHECK(bad.error == "Illegal data address (unit 1, input 0)");
}

TEST_CASE("no answer: stale after two poll periods, offline once the device is", "[quality]") {
  auto venue = sensor_venue();
  PointTracker tracker(*venue->point("lounge.air.temperature"));
  (void)tracker.on_value(20.0, 10'000);
  CHECK_FALSE(tracker.on_no_answer(false, "Connection timed out", 11'000).has_value());
  CHECK_FALSE(tracker.on_no_answer(false, "Connection timed out", 12'000).has_value());  // exactly 2 periods
  auto stale = tracker.on_no_answer(false, "Connection timed out", 12'001);
  REQUIRE(stale.has_value());
  CHECK(stale->quality == v1::QUALITY_STALE);
  CHECK(stale->value == 20.0);
  CHECK_FALSE(tracker.on_no_answer(false, "Connection timed out", 13'000).has_value());  // reported once

  auto offline = tracker.on_no_answer(true, "Connection timed out", 13'500);
  REQUIRE(offline.has_value());
  CHECK(offline->quality == v1::QUALITY_OFFLINE);
  CHECK(offline->value == 20.0);
  CHECK(offline->error == "Connection timed out");
  CHECK_FALSE(tracker.on_no_answer(true, "Connection timed out", 14'000).has_value());

  CHECK(tracker.on_value(21.0, 15'000).quality == v1::QUALITY_GOOD);
}

TEST_CASE("a point that never had a value goes offline as NaN", "[quality]") {
  auto venue = sensor_venue();
  PointTracker tracker(*venue->point("lounge.air.temperature"));
  auto offline = tracker.on_no_answer(true, "Connection refused", 0);
  REQUIRE(offline.has_value());
  CHECK(std::isnan(offline->value));
}

TEST_CASE("a device is offline after N consecutive failures and back with one reply", "[health]") {
  auto venue = sensor_venue(3);
  DeviceHealthTracker health(*venue->device("lounge.air"), 3);
  CHECK_FALSE(health.online());
  CHECK_FALSE(health.offline());
  CHECK(health.record(Outcome::ok, false, 1500, "", 1));  // unknown -> online
  CHECK(health.online());
  CHECK_FALSE(health.record(Outcome::no_answer, true, 0, "Connection timed out", 2));
  CHECK_FALSE(health.record(Outcome::no_answer, true, 0, "Connection timed out", 3));
  CHECK(health.online());
  CHECK(health.record(Outcome::no_answer, true, 0, "Connection timed out", 4));  // third: offline
  CHECK(health.offline());
  CHECK_FALSE(health.record_unreachable("Connection refused", 5));
  auto h = health.snapshot();
  CHECK(h.device_id == "lounge.air");
  CHECK(h.bus_id == "bus");
  CHECK(h.unit == 1);
  CHECK(h.requests == 4);
  CHECK(h.errors == 4);
  CHECK(h.timeouts == 3);
  CHECK(h.consecutive_failures == 4);
  CHECK(h.last_error == "Connection refused");
  CHECK(h.last_error_ms == 5);

  CHECK(health.record(Outcome::exception, false, 900, "Illegal data address", 6));  // an exception is an answer
  CHECK(health.online());
  CHECK(health.snapshot().consecutive_failures == 0);
  CHECK(health.snapshot().last_error == "Illegal data address");
}

TEST_CASE("garbage is no answer: a device sending only malformed replies turns offline", "[health]") {
  // Issue 20: a diffuser whose "answers" were late replies to other requests never went offline.
  auto venue = sensor_venue(3);
  DeviceHealthTracker health(*venue->device("lounge.air"), 3);
  CHECK(health.record(Outcome::ok, false, 1500, "", 1));
  CHECK_FALSE(health.record(Outcome::garbage, false, 900, "Invalid CRC", 2));
  CHECK_FALSE(health.record(Outcome::garbage, false, 900, "Invalid CRC", 3));
  CHECK(health.record(Outcome::garbage, false, 900, "Invalid CRC", 4));  // third: offline
  CHECK(health.offline());
  const auto h = health.snapshot();
  CHECK(h.garbled == 3);
  CHECK(h.errors == 3);
  CHECK(h.consecutive_failures == 3);
  CHECK(h.last_error == "Invalid CRC");
  CHECK(h.last_answer_ms == 1);
}

TEST_CASE("a device that never answers is reported offline after N failures", "[health]") {
  auto venue = sensor_venue(2);
  DeviceHealthTracker health(*venue->device("lounge.air"), 2);
  CHECK_FALSE(health.record_unreachable("Connection refused", 1));
  CHECK(health.record_unreachable("Connection refused", 2));
  CHECK(health.offline());
  CHECK_FALSE(health.snapshot().ever_answered);
}

TEST_CASE("latency percentiles come from a fixed ring of recent samples", "[health]") {
  LatencyRing ring;
  CHECK(ring.percentile_ms(0.5) == 0);
  for (std::uint32_t us = 1; us <= 100; ++us) ring.add(us * 1000);
  CHECK(ring.percentile_ms(0.5) == 50);
  CHECK(ring.percentile_ms(0.99) == 99);
  for (int i = 0; i < 1000; ++i) ring.add(2000);  // old samples age out
  CHECK(ring.size() == LatencyRing::kSamples);
  CHECK(ring.percentile_ms(0.99) == 2);
}

TEST_CASE("reconnect backoff doubles up to its cap with bounded jitter", "[backoff]") {
  Backoff backoff(milliseconds(250), milliseconds(30'000), 0.2, 42);
  std::vector<std::int64_t> delays;
  for (int i = 0; i < 12; ++i) delays.push_back(backoff.next().count());
  const double bases[] = {250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000};
  for (std::size_t i = 0; i < delays.size(); ++i) {
    CAPTURE(i, delays[i]);
    CHECK(delays[i] <= bases[i]);
    CHECK(delays[i] >= std::floor(bases[i] * 0.8));
  }
  backoff.reset();
  CHECK(backoff.next().count() <= 250);
  // Retried forever: thousands of attempts stay at the cap, never overflow.
  for (int i = 0; i < 5000; ++i) CHECK(backoff.next().count() <= 30'000);
}

TEST_CASE("two buses with different seeds do not reconnect in lock-step", "[backoff]") {
  Backoff a(milliseconds(1000), milliseconds(1000), 0.5, 1);
  Backoff b(milliseconds(1000), milliseconds(1000), 0.5, 2);
  int same = 0;
  for (int i = 0; i < 20; ++i) same += a.next() == b.next() ? 1 : 0;
  CHECK(same < 5);
}

TEST_CASE("libmodbus errors are classified by what they mean for the device", "[connection]") {
  CHECK(classify_errno(EMBXILADD).kind == TxKind::exception);
  CHECK(classify_errno(EMBXILADD).message == "Illegal data address");
  CHECK(classify_errno(EMBXILFUN).kind == TxKind::exception);
  CHECK(classify_errno(EMBXSBUSY).kind == TxKind::exception);
  CHECK(classify_errno(EMBXGTAR).kind == TxKind::timeout);  // a gateway's silent target
  CHECK(classify_errno(EMBBADCRC).kind == TxKind::garbage);
  CHECK(classify_errno(EMBBADDATA).kind == TxKind::garbage);
  CHECK(classify_errno(EMBBADSLAVE).kind == TxKind::garbage);
  CHECK(classify_errno(ETIMEDOUT).kind == TxKind::timeout);
  CHECK(classify_errno(ECONNRESET).kind == TxKind::link);
  CHECK(classify_errno(EPIPE).kind == TxKind::link);
}

TEST_CASE("RTU frames are spaced 3.5 character times apart", "[connection]") {
  v1::ModbusRtu rtu;
  rtu.set_baud(9600);  // 8N1: 10 bits per character -> 3.5 * 10 / 9600 s = 3645.8 µs
  CHECK(inter_frame_gap(rtu).count() == 3646);
  rtu.set_parity(v1::PARITY_EVEN);  // 11 bits
  CHECK(inter_frame_gap(rtu).count() == 4011);
  rtu.set_baud(115200);  // above 19200 baud the spec fixes 1750 µs
  CHECK(inter_frame_gap(rtu).count() == 1750);
  rtu.set_inter_frame_gap_us(10'000);
  CHECK(inter_frame_gap(rtu).count() == 10'000);
}

TEST_CASE("buses describe themselves as URLs in messages", "[connection]") {
  v1::Bus tcp;
  tcp.mutable_tcp()->set_host("10.0.0.7");
  CHECK(describe(tcp) == "tcp://10.0.0.7:502");
  v1::Bus rtu;
  rtu.mutable_rtu()->set_device("/dev/ttyUSB0");
  rtu.mutable_rtu()->set_parity(v1::PARITY_EVEN);
  CHECK(describe(rtu) == "rtu:///dev/ttyUSB0?baud=9600&parity=E");
}

TEST_CASE("bus URLs parse into buses and round-trip through describe()", "[url]") {
  auto tcp = parse_bus_url("tcp://10.0.0.7:1502");
  REQUIRE(tcp.ok());
  CHECK(tcp->tcp().host() == "10.0.0.7");
  CHECK(tcp->tcp().port() == 1502);
  CHECK(describe(*tcp) == "tcp://10.0.0.7:1502");
  CHECK(parse_bus_url("tcp://gateway.local")->tcp().port() == 502);
  CHECK(parse_bus_url("tcp://[::1]:15020")->tcp().host() == "::1");

  auto rtu = parse_bus_url("rtu:///dev/ttyUSB0?baud=19200&parity=E&stop_bits=2&pacing_ms=20");
  REQUIRE(rtu.ok());
  CHECK(rtu->rtu().device() == "/dev/ttyUSB0");
  CHECK(rtu->rtu().baud() == 19200);
  CHECK(rtu->rtu().parity() == v1::PARITY_EVEN);
  CHECK(rtu->rtu().stop_bits() == 2);
  CHECK(rtu->rtu().request_pacing_ms() == 20);
  CHECK(describe(*rtu) == "rtu:///dev/ttyUSB0?baud=19200&parity=E");
  CHECK(parse_bus_url("rtu:///dev/ttyS1")->rtu().baud() == 9600);
  CHECK(is_bus_url("tcp://x"));
  CHECK_FALSE(is_bus_url("lounge-bus"));
}

TEST_CASE("bad bus URLs say what to write instead", "[url]") {
  CHECK_THAT(parse_bus_url("tcp://host:99999").error().message, Catch::Contains("the port must be a number from 1 to 65535"));
  CHECK_THAT(parse_bus_url("tcp://:502").error().message, Catch::Contains("names no host"));
  CHECK_THAT(parse_bus_url("rtu://ttyUSB0").error().message, Catch::Contains("rtu:///dev/ttyUSB0?baud=9600"));
  CHECK_THAT(parse_bus_url("rtu:///dev/ttyUSB0?parity=X").error().message, Catch::Contains("N, E or O"));
  CHECK_THAT(parse_bus_url("rtu:///dev/ttyUSB0?speed=9600").error().message, Catch::Contains("known: baud"));
  CHECK_THAT(parse_bus_url("udp://host").error().message, Catch::Contains("not a bus URL"));
}
