// The simulator as hardware: a raw libmodbus client on loopback reads and writes every point type,
// and sees each injected fault the way it would see a misbehaving device.
#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <modbus/modbus.h>

#include "drivers/modbus/register_codec.hpp"
#include "sim/simulator.hpp"
#include "sim_test_venue.hpp"

using namespace atmo;

namespace {

struct Started {
  ManualClock clock{1'700'000'000'000};
  sim::Simulator sim;
  int main_port = 0;
  int second_port = 0;

  Started() : sim(sim::test::make_test_venue(), clock, options()) {
    auto served = sim.start();
    REQUIRE(served.ok());
    CHECK(*served == 2);  // the RTU bus is skipped
    main_port = *sim.bus_port("main");
    second_port = *sim.bus_port("second");
  }
  static sim::SimulatorOptions options() {
    sim::SimulatorOptions o;
    o.ephemeral_ports = true;
    o.tick_thread = false;
    return o;
  }
};

/// A raw libmodbus client, as a driver or a third-party tool would use the simulator.
class Client {
 public:
  // Generous by default: a loaded CI machine must not turn a slow answer into a failure. Tests that
  // expect a timeout shorten it around that one request.
  Client(int port, int unit, int timeout_ms = 5000) : ctx_(modbus_new_tcp("127.0.0.1", port)) {
    REQUIRE(ctx_ != nullptr);
    modbus_set_slave(ctx_, unit);
    set_timeout(timeout_ms);
    connected_ = modbus_connect(ctx_) == 0;
  }
  void set_timeout(int timeout_ms) {
    modbus_set_response_timeout(ctx_, static_cast<std::uint32_t>(timeout_ms / 1000),
                                static_cast<std::uint32_t>((timeout_ms % 1000) * 1000));
  }
  ~Client() {
    modbus_close(ctx_);
    modbus_free(ctx_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  modbus_t* ctx() { return ctx_; }
  void set_unit(int unit) { modbus_set_slave(ctx_, unit); }
  int last_errno() const { return errno_; }

  /// Reads the point's registers (or bit) and decodes them; NaN with last_errno() set on failure.
  double read(const zones::Point& point) {
    std::uint16_t words[2] = {};
    const int n = static_cast<int>(modbus::register_count(*point.map));
    const int address = static_cast<int>(point.map->address());
    int rc = -1;
    std::uint8_t bit = 0;
    switch (point.map->table()) {
      case v1::REGISTER_TABLE_COIL: rc = modbus_read_bits(ctx_, address, 1, &bit); break;
      case v1::REGISTER_TABLE_DISCRETE: rc = modbus_read_input_bits(ctx_, address, 1, &bit); break;
      case v1::REGISTER_TABLE_HOLDING: rc = modbus_read_registers(ctx_, address, n, words); break;
      case v1::REGISTER_TABLE_INPUT: rc = modbus_read_input_registers(ctx_, address, n, words); break;
      default: break;
    }
    if (rc < 0) {
      errno_ = errno;
      return std::nan("");
    }
    errno_ = 0;
    if (point.map->table() == v1::REGISTER_TABLE_COIL || point.map->table() == v1::REGISTER_TABLE_DISCRETE) {
      words[0] = bit;
    }
    auto value = modbus::decode(*point.map, std::span<const std::uint16_t>(words, static_cast<std::size_t>(n)));
    REQUIRE(value.ok());
    return *value;
  }

  /// Encodes and writes an output point; false with last_errno() on failure.
  bool write(const zones::Point& point, double value) {
    auto words = modbus::encode(*point.map, value);
    REQUIRE(words.ok());
    const int address = static_cast<int>(point.map->address());
    int rc = -1;
    if (point.map->table() == v1::REGISTER_TABLE_COIL) {
      rc = modbus_write_bit(ctx_, address, words->words[0]);
    } else if (words->count == 1) {
      rc = modbus_write_register(ctx_, address, words->words[0]);
    } else {
      rc = modbus_write_registers(ctx_, address, static_cast<int>(words->count), words->words.data());
    }
    errno_ = rc < 0 ? errno : 0;
    return rc >= 0;
  }

 private:
  modbus_t* ctx_;
  bool connected_ = false;
  int errno_ = 0;
};

const zones::Point& point(const sim::Simulator& sim, const char* id) {
  const auto* p = sim.venue().point(id);
  REQUIRE(p != nullptr);
  return *p;
}

}  // namespace

TEST_CASE("every point of every device reads as the simulator's engineering value", "[sim][modbus]") {
  Started s;
  for (const auto& device : s.sim.venue().devices()) {
    if (!device.bus->has_tcp()) continue;
    Client client(*s.sim.bus_port(device.bus->id()), static_cast<int>(device.config->unit()));
    REQUIRE(client.connected());
    for (const auto* p : device.points) {
      INFO(p->id << " (" << modbus::table_name(p->map->table()) << " " << modbus::type_name(modbus::effective_type(*p->map))
                 << " " << modbus::order_name(p->map->order()) << ")");
      const double read = client.read(*p);
      CHECK(client.last_errno() == 0);
      CHECK(read == *s.sim.get(p->id));
      CHECK(modbus::in_range(*p->map, read));
    }
  }
  // Spot values that depend on the codec's word order and scaling being applied the right way round.
  Client hammam(s.second_port, 1);
  CHECK(hammam.read(point(s.sim, "hammam.climate.setpoint")) == Approx(45));
  CHECK(hammam.read(point(s.sim, "hammam.climate.temperature")) == Approx(45).margin(0.05));
  CHECK(hammam.read(point(s.sim, "hammam.climate.humidity")) == Approx(95).margin(0.5));
  CHECK(hammam.read(point(s.sim, "hammam.climate.floor")) == Approx(42).margin(0.05));
}

TEST_CASE("a setpoint written by a client moves the temperature", "[sim][modbus]") {
  Started s;
  Client client(s.main_port, 1);
  REQUIRE(client.connected());
  const auto& setpoint = point(s.sim, "lounge.climate.setpoint");
  const auto& temperature = point(s.sim, "lounge.climate.temperature");
  REQUIRE(client.write(setpoint, 27.5));
  CHECK(*s.sim.get("lounge.climate.setpoint") == Approx(27.5));
  CHECK(client.read(setpoint) == Approx(27.5));

  const double before = client.read(temperature);
  s.clock.advance(600'000);
  s.sim.tick();
  CHECK(client.read(temperature) == Approx(27.5 + (before - 27.5) * std::exp(-1.0)).margin(0.05));

  // Coils and 16-bit registers too, and the lights change the lux a client reads.
  client.set_unit(2);
  REQUIRE(client.write(point(s.sim, "lounge.light.level"), 60));
  s.clock.advance(5'000);
  s.sim.tick();
  CHECK(client.read(point(s.sim, "lounge.light.lux")) ==
        Approx(0.6 * sim::zone_climate("lounge").max_lux).epsilon(0.01));
  client.set_unit(3);
  REQUIRE(client.write(point(s.sim, "lounge.scent.enable"), 1));
  CHECK(*s.sim.get("lounge.scent.enable") == 1);
  CHECK(s.sim.status().devices[2].counters.writes == 1);
}

TEST_CASE("writing a measured value is refused like a real device refuses it", "[sim][modbus]") {
  Started s;
  Client client(s.main_port, 1);
  REQUIRE(client.connected());
  // The fault code sits in a holding register but is no output: ILLEGAL DATA ADDRESS.
  CHECK(modbus_write_register(client.ctx(), 10, 7) == -1);
  CHECK(errno == EMBXILADD);
  CHECK(*s.sim.get("lounge.climate.fault") == 0);
  // Reading past the device's map is an exception as well, not a silent 0.
  std::uint16_t words[4];
  CHECK(modbus_read_registers(client.ctx(), 200, 2, words) == -1);
  CHECK(errno == EMBXILADD);
}

TEST_CASE("a unit no device has gets no answer", "[sim][modbus]") {
  Started s;
  Client client(s.main_port, 99, 200);
  REQUIRE(client.connected());
  CHECK(std::isnan(client.read(point(s.sim, "lounge.climate.setpoint"))));
  CHECK(client.last_errno() == ETIMEDOUT);
  CHECK(s.sim.status().buses[0].counters.unknown_unit == 1);
}

TEST_CASE("fault drop: no answer, the connection stays usable", "[sim][modbus][fault]") {
  Started s;
  Client client(s.main_port, 1, 200);
  REQUIRE(client.connected());
  const auto& p = point(s.sim, "lounge.climate.temperature");
  REQUIRE(s.sim.set_fault("lounge.climate", {sim::FaultKind::drop, 0, 0}).ok());
  CHECK(std::isnan(client.read(p)));
  CHECK(client.last_errno() == ETIMEDOUT);

  // Other devices on the same bus still answer.
  Client light(s.main_port, 2);
  CHECK(light.read(point(s.sim, "lounge.light.level")) == 0);

  REQUIRE(s.sim.set_fault("lounge.climate", {}).ok());
  client.set_timeout(5000);
  CHECK(client.read(p) == *s.sim.get(p.id));
  const auto status = s.sim.status().devices[0];
  CHECK(status.counters.dropped == 1);
  CHECK(status.counters.requests == 2);
}

TEST_CASE("fault delay: the answer comes late, other devices answer meanwhile", "[sim][modbus][fault]") {
  Started s;
  Client slow(s.main_port, 1);
  Client fast(s.main_port, 2);
  REQUIRE(slow.connected());
  REQUIRE(fast.connected());
  REQUIRE(s.sim.set_fault("lounge.climate", {sim::FaultKind::delay, 1500, 0}).ok());

  // Send the slow request raw, then talk to another device before collecting its answer.
  std::uint8_t request[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x04, 0x00, 0x00, 0x00, 0x01};
  const auto sent_at = std::chrono::steady_clock::now();
  REQUIRE(::send(modbus_get_socket(slow.ctx()), request, sizeof request, MSG_NOSIGNAL) ==
          static_cast<ssize_t>(sizeof request));
  CHECK(fast.read(point(s.sim, "lounge.light.cct")) == 3000);
  const auto fast_done = std::chrono::steady_clock::now();

  std::uint8_t reply[MODBUS_TCP_MAX_ADU_LENGTH];
  REQUIRE(modbus_receive_confirmation(slow.ctx(), reply) == 11);  // MBAP 7 + fc + count + 2 bytes
  const auto slow_done = std::chrono::steady_clock::now();
  CHECK(slow_done - sent_at >= std::chrono::milliseconds(1500));
  CHECK(fast_done < slow_done);
  const std::uint16_t raw = static_cast<std::uint16_t>((reply[9] << 8) | reply[10]);
  CHECK(*modbus::decode(*point(s.sim, "lounge.climate.temperature").map, std::span(&raw, 1)) ==
        *s.sim.get("lounge.climate.temperature"));
}

TEST_CASE("fault exception: every request gets the configured exception code", "[sim][modbus][fault]") {
  Started s;
  Client client(s.main_port, 2);
  REQUIRE(client.connected());
  REQUIRE(s.sim.set_fault("lounge.light", {sim::FaultKind::exception, 0, MODBUS_EXCEPTION_SLAVE_OR_SERVER_BUSY}).ok());
  CHECK(std::isnan(client.read(point(s.sim, "lounge.light.level"))));
  CHECK(client.last_errno() == EMBXSBUSY);
  CHECK_FALSE(client.write(point(s.sim, "lounge.light.level"), 30));
  CHECK(client.last_errno() == EMBXSBUSY);
  CHECK(*s.sim.get("lounge.light.level") == 0);  // the refused write changed nothing
  REQUIRE(s.sim.set_fault("lounge.light", {sim::FaultKind::exception, 0, 4}).ok());
  CHECK(std::isnan(client.read(point(s.sim, "lounge.light.level"))));
  CHECK(client.last_errno() == EMBXSFAIL);
  CHECK(s.sim.status().devices[1].counters.exceptions == 3);
}

TEST_CASE("fault garbage: reads decode outside each point's range, then recover", "[sim][modbus][fault]") {
  Started s;
  Client client(s.main_port, 1);
  REQUIRE(client.connected());
  REQUIRE(s.sim.set_fault("lounge.climate", {sim::FaultKind::garbage, 0, 0}).ok());
  for (const auto* p : s.sim.venue().device("lounge.climate")->points) {
    if (!p->map->has_range()) continue;
    INFO(p->id);
    const double v = client.read(*p);
    CHECK(client.last_errno() == 0);
    CHECK_FALSE(modbus::in_range(*p->map, v));
  }
  // The image itself is intact: the simulator's value and, after clearing, the client's agree.
  REQUIRE(s.sim.set_fault("lounge.climate", {}).ok());
  for (const auto* p : s.sim.venue().device("lounge.climate")->points) {
    INFO(p->id);
    CHECK(client.read(*p) == *s.sim.get(p->id));
  }
}

TEST_CASE("fault close: the connection is reset, a new one works once cleared", "[sim][modbus][fault]") {
  Started s;
  Client client(s.main_port, 1);
  REQUIRE(client.connected());
  const auto& p = point(s.sim, "lounge.climate.setpoint");
  REQUIRE(s.sim.set_fault("lounge.climate", {sim::FaultKind::close, 0, 0}).ok());
  CHECK(std::isnan(client.read(p)));
  CHECK(client.last_errno() == ECONNRESET);
  REQUIRE(s.sim.set_fault("lounge.climate", {}).ok());
  modbus_close(client.ctx());
  REQUIRE(modbus_connect(client.ctx()) == 0);
  CHECK(client.read(p) == 22);
  CHECK(s.sim.status().devices[0].counters.closed == 1);
}

TEST_CASE("bus down closes every connection and the port; up serves it again", "[sim][modbus][bus]") {
  Started s;
  Client client(s.main_port, 1);
  Client hammam(s.second_port, 1);
  REQUIRE(client.connected());
  const auto& p = point(s.sim, "lounge.climate.setpoint");
  REQUIRE(client.read(p) == 22);

  REQUIRE(s.sim.set_bus_up("main", false).ok());
  // The serving thread closes asynchronously: wait (bounded) until a new connection is refused.
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    Client probe(s.main_port, 1, 200);
    refused = !probe.connected();
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(refused);
  CHECK(std::isnan(client.read(p)));
  CHECK(hammam.read(point(s.sim, "hammam.climate.setpoint")) == 45);  // the other bus is untouched
  CHECK_FALSE(s.sim.status().buses[0].up);

  REQUIRE(*s.sim.set_bus_up("main", true) == s.main_port);
  bool back = false;
  for (int i = 0; i < 100 && !back; ++i) {
    Client again(s.main_port, 1);
    back = again.connected() && again.read(p) == 22;
    if (!back) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(back);
}

TEST_CASE("several clients are served at once on one bus", "[sim][modbus]") {
  Started s;
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      modbus_t* ctx = modbus_new_tcp("127.0.0.1", s.main_port);
      modbus_set_slave(ctx, 1 + t % 2);
      modbus_set_response_timeout(ctx, 5, 0);
      if (modbus_connect(ctx) == 0) {
        for (int i = 0; i < 50; ++i) {
          std::uint16_t words[2];
          if (modbus_read_registers(ctx, 0, 2, words) == 2) ++good;
        }
      }
      modbus_close(ctx);
      modbus_free(ctx);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(good == 200);
  CHECK(s.sim.status().buses[0].counters.connections == 4);
}

TEST_CASE("a port already in use is an error naming the bus", "[sim][modbus]") {
  const int blocker = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(blocker, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(blocker, 1) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(blocker, reinterpret_cast<sockaddr*>(&addr), &len);
  const unsigned taken = ntohs(addr.sin_port);

  ManualClock clock(0);
  sim::SimulatorOptions o;
  o.tick_thread = false;
  // "main" gets a free port: only "second" (main + 1) collides.
  sim::Simulator sim(sim::test::make_test_venue(taken - 1), clock, o);
  auto started = sim.start();
  ::close(blocker);
  REQUIRE_FALSE(started.ok());
  CHECK_THAT(started.error().message, Catch::Contains("bus second") && Catch::Contains(std::to_string(taken)));
  CHECK_FALSE(sim.bus_port("main").has_value());  // nothing left running
}

TEST_CASE("port offset shifts every bus", "[sim][modbus]") {
  // Find two adjacent free ports by binding ephemeral ones until a neighbour is free too.
  ManualClock clock(0);
  sim::SimulatorOptions o;
  o.tick_thread = false;
  o.port_offset = 1000;
  for (unsigned base = 31000; base < 32000; base += 7) {
    sim::Simulator sim(sim::test::make_test_venue(base), clock, o);
    if (!sim.start().ok()) continue;
    CHECK(*sim.bus_port("main") == static_cast<int>(base + 1000));
    CHECK(*sim.bus_port("second") == static_cast<int>(base + 1001));
    Client client(static_cast<int>(base + 1000), 1);
    CHECK(client.read(point(sim, "lounge.climate.setpoint")) == 22);
    return;
  }
  FAIL("no free pair of ports between 32000 and 33000");
}

TEST_CASE("the tick thread advances the physics by speed x real time", "[sim][modbus]") {
  SystemClock clock;
  sim::SimulatorOptions o;
  o.ephemeral_ports = true;
  o.speed = 600;  // ten simulated minutes per second
  o.tick_ms = 20;
  sim::Simulator sim(sim::test::make_test_venue(), clock, o);
  REQUIRE(sim.start().ok());
  REQUIRE(sim.set("lounge.climate.setpoint", 30).ok());
  Client client(*sim.bus_port("main"), 1);
  const auto& t = point(sim, "lounge.climate.temperature");
  double value = client.read(t);
  for (int i = 0; i < 200 && value < 29; ++i) {  // about 2 s of real time to settle
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    value = client.read(t);
  }
  CHECK(value >= 29);
  CHECK(value <= 30.05);
  sim.stop();
  CHECK_FALSE(sim.bus_port("main").has_value());
}
