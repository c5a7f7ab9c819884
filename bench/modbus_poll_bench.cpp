// Modbus poll throughput of atmo's bus worker next to a raw libmodbus loop issuing the same reads,
// against whatever serves the venue's buses (bench/run starts `atmo sim`). One process per client
// and mode, so getrusage() gives each client's own CPU time. bench/run pins client and server to
// one CPU (`taskset -c 1`). Prints one JSON object per line.
//
//   modbus_poll_bench plan VENUE.yaml            the venue's read plan: requests, points, registers
//   modbus_poll_bench requests VENUE.yaml        the plan's reads, one "unit table start count" a line
//   modbus_poll_bench raw VENUE.yaml SECONDS     a raw libmodbus loop over the plan's reads
//   modbus_poll_bench worker VENUE.yaml SECONDS  atmo's DeviceSet (one ModbusBus per bus) polling it
#include <modbus/modbus.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

// GCC 12 reports a false "potential null pointer dereference" inside Asio (see tests/modbus).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#pragma GCC diagnostic pop

#include "config/venue_loader.hpp"
#include "drivers/modbus/device_set.hpp"
#include "drivers/modbus/read_plan.hpp"
#include "drivers/modbus/register_codec.hpp"

using namespace atmo;
using Steady = std::chrono::steady_clock;

namespace {

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

std::shared_ptr<const zones::Venue> load(const char* file) {
  auto loaded = config::load_venue_file(file);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    std::exit(2);
  }
  return zones::Venue::create(std::move(*loaded.venue));
}

struct Window {
  double seconds = 0;
  double cpu = 0;
  std::uint64_t requests = 0;
  std::uint64_t registers = 0;
  std::uint64_t errors = 0;
};

void print_window(const char* client, const Window& w) {
  std::printf(
      "{\"client\": \"%s\", \"seconds\": %.4f, \"requests\": %llu, \"registers\": %llu, \"errors\": %llu, "
      "\"requests_per_s\": %.1f, \"registers_per_s\": %.1f, \"cpu_us_per_request\": %.3f, \"wall_us_per_request\": "
      "%.3f}\n",
      client, w.seconds, static_cast<unsigned long long>(w.requests), static_cast<unsigned long long>(w.registers),
      static_cast<unsigned long long>(w.errors), static_cast<double>(w.requests) / w.seconds,
      static_cast<double>(w.registers) / w.seconds,
      w.cpu * 1e6 / static_cast<double>(std::max<std::uint64_t>(1, w.requests)),
      w.seconds * 1e6 / static_cast<double>(std::max<std::uint64_t>(1, w.requests)));
}

// ---- plan ------------------------------------------------------------------------------------

int print_plan(const zones::Venue& venue) {
  std::size_t requests = 0, points = 0, registers_read = 0, point_registers = 0;
  double requests_per_s = 0, point_polls_per_s = 0, register_polls_per_s = 0;
  std::set<std::pair<const zones::Device*, int>> device_tables;
  for (const auto& bus : venue.config().buses()) {
    for (const auto& r : modbus::plan_bus_reads(venue, bus)) {
      ++requests;
      registers_read += r.count;
      const double per_s = 1000.0 / static_cast<double>(r.period.count());
      requests_per_s += per_s;
      device_tables.emplace(r.device, static_cast<int>(r.table));
      for (const auto& p : r.points) {
        ++points;
        const unsigned n = modbus::register_count(*p.point->map);
        point_registers += n;
        point_polls_per_s += per_s;
        register_polls_per_s += per_s * n;
      }
    }
  }
  std::printf(
      "{\"requests_per_cycle\": %zu, \"polled_points\": %zu, \"polled_registers\": %zu, \"registers_read\": %zu, "
      "\"device_tables\": %zu, \"requests_per_s\": %.3f, \"one_point_per_request_per_s\": %.3f, "
      "\"one_register_per_request_per_s\": %.3f}\n",
      requests, points, point_registers, registers_read, device_tables.size(), requests_per_s, point_polls_per_s,
      register_polls_per_s);
  return 0;
}

int print_requests(const zones::Venue& venue) {
  for (const auto& bus : venue.config().buses()) {
    for (const auto& r : modbus::plan_bus_reads(venue, bus)) {
      std::printf("%s %u %s %u %u\n", bus.id().c_str(), r.device->config->unit(), modbus::table_name(r.table).c_str(),
                  r.start, r.count);
    }
  }
  return 0;
}

// ---- raw libmodbus loop ----------------------------------------------------------------------

int raw_loop(const zones::Venue& venue, double seconds) {
  if (venue.config().buses_size() != 1 || !venue.config().buses(0).has_tcp()) {
    std::fprintf(stderr, "raw: the bench venue must have exactly one TCP bus\n");
    return 2;
  }
  const auto& bus = venue.config().buses(0);
  const auto plan = modbus::plan_bus_reads(venue, bus);
  modbus_t* ctx = modbus_new_tcp(bus.tcp().host().c_str(), static_cast<int>(bus.tcp().port()));
  if (ctx == nullptr || modbus_connect(ctx) == -1) {
    std::fprintf(stderr, "raw: cannot connect: %s\n", modbus_strerror(errno));
    return 1;
  }
  std::vector<std::uint16_t> words(modbus::kMaxReadRegisters);
  std::vector<std::uint8_t> bits(modbus::kMaxReadBits);
  auto read = [&](const modbus::ReadRequest& r) {
    modbus_set_slave(ctx, static_cast<int>(r.device->config->unit()));
    const int addr = static_cast<int>(r.start), nb = static_cast<int>(r.count);
    switch (r.table) {
      case v1::REGISTER_TABLE_INPUT:
        return modbus_read_input_registers(ctx, addr, nb, words.data());
      case v1::REGISTER_TABLE_COIL:
        return modbus_read_bits(ctx, addr, nb, bits.data());
      case v1::REGISTER_TABLE_DISCRETE:
        return modbus_read_input_bits(ctx, addr, nb, bits.data());
      default:
        return modbus_read_registers(ctx, addr, nb, words.data());
    }
  };
  // Warm up (connection, caches), then measure one window.
  for (const auto& r : plan) read(r);
  Window w;
  const double cpu0 = cpu_seconds();
  const auto t0 = Steady::now();
  const auto end = t0 + std::chrono::duration<double>(seconds);
  std::size_t i = 0;
  while (Steady::now() < end) {
    const auto& r = plan[i];
    i = i + 1 == plan.size() ? 0 : i + 1;
    ++w.requests;
    if (read(r) == static_cast<int>(r.count)) {
      w.registers += r.count;
    } else {
      ++w.errors;
    }
  }
  w.seconds = std::chrono::duration<double>(Steady::now() - t0).count();
  w.cpu = cpu_seconds() - cpu0;
  modbus_close(ctx);
  modbus_free(ctx);
  print_window("raw libmodbus loop", w);
  return 0;
}

// ---- atmo's bus worker -----------------------------------------------------------------------

/// The controller side: counts what arrives, as cheaply as a listener can.
class Counter final : public modbus::DeviceSetListener {
 public:
  void on_readings(std::vector<modbus::PointReading> readings) override {
    for (const auto& r : readings) good += r.quality == v1::QUALITY_GOOD ? 1 : 0;
    if (good == 0 && !readings.empty()) last_problem = readings.front().error;
    batches += 1;
  }
  void on_device_health(const modbus::DeviceHealth&) override {}
  void on_write_result(const zones::Point&, double, const std::optional<Error>&) override {}
  void on_readback_mismatch(const zones::Point&, double, double) override {}
  std::uint64_t good = 0;
  std::uint64_t batches = 0;
  std::string last_problem;  ///< why the first readings were not good, for the error message
};

int worker(std::shared_ptr<const zones::Venue> venue, double seconds) {
  boost::asio::io_context io;
  auto keep_running = boost::asio::make_work_guard(io);  // run_for must wait for posts, not return idle
  Counter counter;
  SystemClock clock;
  modbus::DeviceSet devices(venue, io.get_executor(), counter, clock);
  auto totals = [&] {
    std::uint64_t reads = 0;
    for (const auto& s : devices.bus_stats()) reads += s.reads;
    return reads;
  };
  // Registers per request: the plan's reads are all of one size in the bench venue, but count them.
  double registers_per_read = 0;
  {
    std::size_t n = 0, regs = 0;
    for (const auto& bus : venue->config().buses()) {
      for (const auto& r : modbus::plan_bus_reads(*venue, bus)) {
        ++n;
        regs += r.count;
      }
    }
    registers_per_read = n ? static_cast<double>(regs) / static_cast<double>(n) : 0.0;
  }
  devices.start();
  // Warm up until readings flow.
  const auto deadline = Steady::now() + std::chrono::seconds(5);
  while (counter.good == 0 && Steady::now() < deadline) io.run_for(std::chrono::milliseconds(10));
  if (counter.good == 0) {
    std::fprintf(stderr, "worker: no good reading within 5 s (%llu batches; %s)\n",
                 static_cast<unsigned long long>(counter.batches), counter.last_problem.c_str());
    return 1;
  }
  io.run_for(std::chrono::milliseconds(300));
  const std::uint64_t reads0 = totals();
  const std::uint64_t good0 = counter.good;
  const double cpu0 = cpu_seconds();
  const auto t0 = Steady::now();
  io.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(seconds)));
  Window w;
  w.requests = totals() - reads0;
  w.seconds = std::chrono::duration<double>(Steady::now() - t0).count();
  w.cpu = cpu_seconds() - cpu0;
  devices.stop();
  io.run_for(std::chrono::milliseconds(1));
  w.registers = static_cast<std::uint64_t>(static_cast<double>(w.requests) * registers_per_read);
  // Readings delivered to the controller in the window (batches straddle its edges).
  const std::uint64_t good = counter.good - good0;
  print_window("atmo bus worker", w);
  std::printf("{\"client\": \"atmo bus worker readings\", \"good_readings\": %llu, \"batches\": %llu}\n",
              static_cast<unsigned long long>(good), static_cast<unsigned long long>(counter.batches));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s plan|requests|raw|worker VENUE.yaml [SECONDS]\n", argv[0]);
    return 2;
  }
  spdlog::set_level(getenv("BENCH_DEBUG") ? spdlog::level::debug : spdlog::level::warn);
  const std::string mode = argv[1];
  auto venue = load(argv[2]);
  const double seconds = argc > 3 ? std::atof(argv[3]) : 2.0;
  if (mode == "plan") return print_plan(*venue);
  if (mode == "requests") return print_requests(*venue);
  if (mode == "raw") return raw_loop(*venue, seconds);
  if (mode == "worker") return worker(venue, seconds);
  std::fprintf(stderr, "unknown mode '%s'\n", mode.c_str());
  return 2;
}
