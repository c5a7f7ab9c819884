// Poll throughput of one bus worker next to a raw libmodbus loop doing the same reads against the
// same in-process fake device, in the same run. Not a test: it prints figures (issue 3's closing
// note). Run pinned to one core so both sides share it alike:
//   taskset -c 1 ./modbus_poll_bench [seconds-per-round=3] [registers-per-read=100]
#include <sched.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <modbus/modbus.h>
#include <spdlog/spdlog.h>

#include "device_set_harness.hpp"
#include "fake_device.hpp"
#include "test_venue.hpp"

using namespace atmo;
using namespace atmo::modbus;
using namespace atmo::modbus::test;
using Steady = std::chrono::steady_clock;

namespace {

/// Devices on the bench bus. Each polls every 1 ms, more than the bus can carry, so the worker
/// reads back to back and the figure is its throughput, not its schedule.
constexpr int kUnits = 20;

double raw_loop(int port, unsigned registers, std::chrono::duration<double> duration) {
  modbus_t* ctx = modbus_new_tcp("127.0.0.1", port);
  if (!ctx || modbus_connect(ctx) == -1) {
    std::fprintf(stderr, "raw: cannot connect: %s\n", modbus_strerror(errno));
    std::exit(1);
  }
  std::vector<std::uint16_t> buf(registers);
  std::uint64_t total = 0;
  const auto t0 = Steady::now();
  for (int unit = 1; Steady::now() - t0 < duration; unit = unit % kUnits + 1) {
    modbus_set_slave(ctx, unit);
    if (modbus_read_registers(ctx, 0, static_cast<int>(registers), buf.data()) == static_cast<int>(registers)) {
      total += registers;
    }
  }
  const double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  modbus_close(ctx);
  modbus_free(ctx);
  return static_cast<double>(total) / secs;
}

class Counter final : public DeviceSetListener {
 public:
  void on_readings(std::vector<PointReading> readings) override {
    for (const auto& r : readings) good += r.quality == v1::QUALITY_GOOD ? 1 : 0;
  }
  void on_device_health(const DeviceHealth&) override {}
  void on_write_result(const zones::Point&, double, const std::optional<Error>&) override {}
  void on_readback_mismatch(const zones::Point&, double, double) override {}
  std::uint64_t good = 0;
};

double bus_worker(int port, unsigned registers, std::chrono::duration<double> duration) {
  v1::Venue v;
  auto* profile = v.add_profiles();
  profile->set_id("bench");
  for (unsigned a = 0; a < registers; ++a) {
    *profile->add_points() = point_map(PointSpec{.name = "r" + std::to_string(a), .address = a, .poll_ms = 1});
  }
  add_tcp_bus(v, "bench", port, 1000, 3);
  for (int unit = 1; unit <= kUnits; ++unit) {
    add_device(v, "lab", "dev" + std::to_string(unit), "bench", "bench", static_cast<unsigned>(unit));
  }
  auto venue = zones::Venue::create(std::move(v));
  boost::asio::io_context io;
  Counter counter;
  SystemClock clock;
  DeviceSet devices(venue, io.get_executor(), counter, clock);
  devices.start();
  run_until(io, [&] { return counter.good > 0; }, std::chrono::seconds(5));
  const std::uint64_t start = counter.good;
  const auto t0 = Steady::now();
  run_for(io, std::chrono::duration_cast<std::chrono::milliseconds>(duration));
  const double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  const std::uint64_t total = counter.good - start;
  devices.stop();
  return static_cast<double>(total) / secs;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  const unsigned registers = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 100;
  spdlog::set_level(spdlog::level::warn);
  cpu_set_t set;
  sched_getaffinity(0, sizeof set, &set);
  std::printf("modbus poll throughput: %d units, %u registers per read, %.1f s per round, %d CPU(s) allowed%s\n",
              kUnits, registers, seconds, CPU_COUNT(&set), CPU_COUNT(&set) == 1 ? "" : " (run under `taskset -c 1` to pin)");
  std::set<unsigned> units;
  for (int unit = 1; unit <= kUnits; ++unit) units.insert(static_cast<unsigned>(unit));
  auto fake = FakeDevice::tcp(units);
  const std::chrono::duration<double> round(seconds);
  double raw_best = 0;
  double bus_best = 0;
  for (int i = 0; i < 2; ++i) {  // alternate, keep the best of each
    raw_best = std::max(raw_best, raw_loop(fake->port(), registers, round));
    bus_best = std::max(bus_best, bus_worker(fake->port(), registers, round));
  }
  std::printf("%-34s %14s\n", "", "registers/s");
  std::printf("%-34s %14.0f\n", "raw libmodbus loop", raw_best);
  std::printf("%-34s %14.0f\n", "atmo bus worker (DeviceSet)", bus_best);
  std::printf("%-34s %14.2f\n", "ratio bus worker / raw", bus_best / raw_best);
  return 0;
}
