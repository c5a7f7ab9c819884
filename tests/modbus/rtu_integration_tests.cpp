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
  boost::asio::io_context io;
  Recorder recorder;
  SystemClock clock;
  DeviceSet devices(venue, io.get_executor(), recorder, clock);
  devices.start();

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
  boost::asio::io_context io;
  Recorder recorder;
  SystemClock clock;
  DeviceSet devices(venue, io.get_executor(), recorder, clock);
  devices.start();
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
