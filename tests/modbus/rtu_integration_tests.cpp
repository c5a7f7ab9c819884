// Modbus RTU without hardware: socat links two pseudo-terminals; the fake device serves one end,
// atmo's bus worker the other. Ptys ignore the baud rate, so pacing is checked by counting
// requests, not by timing bytes on a wire.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "child_process.hpp"
#include "device_set_harness.hpp"
#include "fake_device.hpp"
#include "test_venue.hpp"

using namespace atmo;
using namespace atmo::modbus;
using namespace atmo::modbus::test;
using namespace std::chrono_literals;

namespace {

/// A socat pty pair in a private temporary folder, removed with the object.
struct PtyPair {
  PtyPair() {
    char tmpl[] = "/tmp/atmo-rtu.XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    a = dir + "/ttyA";
    b = dir + "/ttyB";
    socat = std::make_unique<ChildProcess>(
        std::vector<std::string>{"socat", "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b}, 60s);
    for (int i = 0; i < 200 && !(std::filesystem::exists(a) && std::filesystem::exists(b)); ++i) {
      std::this_thread::sleep_for(10ms);
    }
    INFO("socat did not create the pty pair (is socat installed?)");
    REQUIRE(std::filesystem::exists(a));
    REQUIRE(std::filesystem::exists(b));
  }
  ~PtyPair() {
    socat.reset();
    std::filesystem::remove_all(dir);
  }
  std::string dir, a, b;
  std::unique_ptr<ChildProcess> socat;
};

}  // namespace

TEST_CASE("RTU over a pty pair: reads, writes with read-back, and exceptions", "[integration][rtu]") {
  PtyPair pty;
  auto fake = FakeDevice::rtu(pty.a, 7, 19200);
  fake->set_register(7, v1::REGISTER_TABLE_INPUT, 0, 215);
  fake->set_register(7, v1::REGISTER_TABLE_INPUT, 1, 0x42F6);  // 123.456f, abcd
  fake->set_register(7, v1::REGISTER_TABLE_INPUT, 2, 0xE979);

  v1::Venue v;
  add_profile(v, "floor", {
      PointSpec{.name = "temperature", .table = v1::REGISTER_TABLE_INPUT, .address = 0, .scale = 0.1,
                .poll_ms = 100},
      PointSpec{.name = "power", .table = v1::REGISTER_TABLE_INPUT, .address = 1, .type = v1::VALUE_TYPE_F32,
                .poll_ms = 100},
      PointSpec{.name = "setpoint", .table = v1::REGISTER_TABLE_HOLDING, .address = 5, .scale = 0.5,
                .poll_ms = 200, .writable = true, .read_back = true},
      PointSpec{.name = "missing", .table = v1::REGISTER_TABLE_HOLDING, .address = 9001, .poll_ms = 200},
  });
  add_rtu_bus(v, "rs485", pty.b, 19200);
  add_device(v, "hammam", "floor", "floor", "rs485", 7);
  auto venue = zones::Venue::create(std::move(v));
  RunningDevices running(venue);
  auto& io = running.io;
  auto& recorder = running.recorder;
  auto& devices = running.devices;

  REQUIRE(run_until(io, [&] { return recorder.good("hammam.floor.temperature") && recorder.good("hammam.floor.power"); },
                    5s));
  CHECK(recorder.last("hammam.floor.temperature")->value == Approx(21.5));
  CHECK(recorder.last("hammam.floor.power")->value == Approx(123.456));

  REQUIRE(devices.set_desired(*venue->point("hammam.floor.setpoint"), 38.5).ok());
  REQUIRE(run_until(io, [&] { return recorder.written_ok("hammam.floor.setpoint", 38.5); }, 5s));
  CHECK(fake->get_register(7, v1::REGISTER_TABLE_HOLDING, 5) == 77);
  REQUIRE(run_until(io, [&] { return recorder.good("hammam.floor.setpoint"); }, 5s));
  CHECK(recorder.last("hammam.floor.setpoint")->value == 38.5);
  CHECK(recorder.mismatches.empty());

  // The magic address 9001 answers with an exception, over RTU as over TCP.
  REQUIRE(run_until(io, [&] { return recorder.count("hammam.floor.missing", v1::QUALITY_BAD) > 0; }, 5s));
  CHECK_THAT(recorder.last("hammam.floor.missing")->error, Catch::StartsWith("Illegal data address"));
  const auto stats = devices.bus_stats().at(0);
  CHECK(stats.endpoint == "rtu://" + pty.b + "?baud=19200&parity=N");
  CHECK(stats.connected);
}

TEST_CASE("RTU request pacing spaces transactions on a slow line", "[integration][rtu]") {
  PtyPair pty;
  auto fake = FakeDevice::rtu(pty.a, 3, 9600);
  v1::Venue v;
  add_profile(v, "sensor", {
      PointSpec{.name = "a", .table = v1::REGISTER_TABLE_INPUT, .address = 0, .poll_ms = 10},
      PointSpec{.name = "b", .table = v1::REGISTER_TABLE_INPUT, .address = 50, .poll_ms = 10},
  });
  auto& bus = add_rtu_bus(v, "rs485", pty.b, 9600);
  bus.mutable_rtu()->set_request_pacing_ms(100);
  add_device(v, "changing", "sensor", "sensor", "rs485", 3);
  auto venue = zones::Venue::create(std::move(v));
  RunningDevices running(venue);
  auto& io = running.io;
  auto& recorder = running.recorder;
  auto& devices = running.devices;
  REQUIRE(run_until(io, [&] { return recorder.good("changing.sensor.a"); }, 5s));
  const auto before = fake->requests(3);
  const auto t0 = std::chrono::steady_clock::now();
  run_for(io, 1000ms);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  const auto requests = fake->requests(3) - before;
  // Two requests fall due every 10 ms, but 100 ms of pacing allows about ten per second.
  CHECK(requests >= 5);
  CHECK(requests <= static_cast<std::uint64_t>(elapsed.count() / 100 + 2));
  CHECK(devices.bus_stats().at(0).skipped_polls > 0);
}

namespace {

/// Debian's pymodbus serving `units` on one end of a pty pair (tests/modbus/pymodbus_rtu_peer.py).
struct RtuPeer {
  RtuPeer(const std::string& tty, std::vector<unsigned> units)
      : process(
            [&] {
              std::vector<std::string> argv = {"/usr/bin/python3",
                                               std::string(ATMO_MODBUS_TEST_DIR) + "/pymodbus_rtu_peer.py", tty, "60"};
              for (unsigned u : units) argv.push_back(std::to_string(u));
              return argv;
            }(),
            70s, true) {
    INFO("pymodbus_rtu_peer.py did not start; it needs Debian's python3-pymodbus");
    REQUIRE(process.read_line(15s) == std::optional<std::string>("ready"));
  }
  /// Sends one command and returns its answer line.
  std::string ask(const std::string& command) {
    REQUIRE(process.write_line(command));
    auto answer = process.read_line(5s);
    REQUIRE(answer.has_value());
    return *answer;
  }
  void tell(const std::string& command) { REQUIRE(ask(command) == "ok"); }
  ChildProcess process;
};

}  // namespace

TEST_CASE("RTU: a late reply is never taken for a later request, and the neighbour keeps reading",
          "[integration][rtu]") {
  // The integrator's line: a diffuser (unit 2) that answers 0.35 s late against a 300 ms timeout, a
  // floor sensor (unit 3) beside it. Before the fix the diffuser's late oil reply (85) was stored as
  // its fault register, GOOD, and the sensor stayed BAD ("Response not from requested slave").
  PtyPair pty;
  RtuPeer peer(pty.a, {2, 3});
  peer.tell("set 2 input 30 85");
  peer.tell("set 2 input 31 0");
  peer.tell("set 3 input 0 215");
  peer.tell("late 2 0.35");

  v1::Venue v;
  add_profile(v, "diffuser", {
      PointSpec{.name = "oil", .table = v1::REGISTER_TABLE_INPUT, .address = 30, .poll_ms = 200},
      PointSpec{.name = "fault", .table = v1::REGISTER_TABLE_INPUT, .address = 31, .poll_ms = 300},
  });
  add_profile(v, "floor", {
      PointSpec{.name = "temperature", .table = v1::REGISTER_TABLE_INPUT, .address = 0, .scale = 0.1,
                .poll_ms = 200},
  });
  add_rtu_bus(v, "rs485", pty.b, 19200).set_response_timeout_ms(300);
  add_device(v, "hammam", "diffuser", "diffuser", "rs485", 2);
  add_device(v, "hammam", "floor", "floor", "rs485", 3);
  auto venue = zones::Venue::create(std::move(v));
  RunningDevices running(venue);
  auto& io = running.io;
  auto& recorder = running.recorder;
  auto& devices = running.devices;

  // Offline after three requests unanswered in time (a late reply is no answer), then probed.
  CHECK(run_until(io, [&] {
    const auto h = recorder.last_health("hammam.diffuser");
    return h && !h->online;
  }, 6s));
  run_for(io, 3000ms);
  devices.stop();
  run_for(io, 100ms);

  // Nothing the diffuser said too late was stored as a good value of any point.
  for (double fault : recorder.values("hammam.diffuser.fault", v1::QUALITY_GOOD)) CHECK(fault == 0);
  for (double oil : recorder.values("hammam.diffuser.oil", v1::QUALITY_GOOD)) CHECK(oil == 85);
  CHECK(recorder.last("hammam.diffuser.oil")->quality == v1::QUALITY_OFFLINE);
  // The neighbour read its own value throughout and never got the diffuser's reply.
  CHECK(recorder.count("hammam.floor.temperature", v1::QUALITY_BAD) == 0);
  REQUIRE(recorder.good("hammam.floor.temperature"));
  CHECK(recorder.last("hammam.floor.temperature")->value == Approx(21.5));
  for (double t : recorder.values("hammam.floor.temperature", v1::QUALITY_GOOD)) CHECK(t == Approx(21.5));
  // The late replies were seen on the line and thrown away, not lost track of.
  CHECK(devices.bus_stats().at(0).discarded_replies > 0);
  const auto health = recorder.last_health("hammam.diffuser");
  REQUIRE(health);
  CHECK_THAT(health->last_error, Catch::Contains("later than the 300 ms response timeout"));
}
