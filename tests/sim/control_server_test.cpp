// The control port over a real socket: what `atmo sim ctl`, scripts and the demo send.
#include <catch2/catch.hpp>

#include <boost/json.hpp>
#include <modbus/modbus.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim/control_client.hpp"
#include "sim/control_server.hpp"
#include "sim/simulator.hpp"
#include "sim_test_venue.hpp"

using namespace atmo;

namespace {

struct Running {
  ManualClock clock{0};
  sim::Simulator sim;
  sim::ControlServer control{sim};
  sim::Endpoint endpoint;

  Running() : sim(sim::test::make_test_venue(), clock, options()) {
    REQUIRE(sim.start().ok());
    auto port = control.start("127.0.0.1", 0);
    REQUIRE(port.ok());
    endpoint = sim::Endpoint{"127.0.0.1", *port};
  }
  std::string send(const std::string& line) {
    auto reply = sim::send_control_command(endpoint, line);
    REQUIRE(reply.ok());
    return *reply;
  }
  static sim::SimulatorOptions options() {
    sim::SimulatorOptions o;
    o.ephemeral_ports = true;
    o.tick_thread = false;
    return o;
  }
};

}  // namespace

TEST_CASE("control port round trips: get, set, sound, status", "[sim][control][socket]") {
  Running r;
  CHECK(r.send("get lounge.climate.setpoint") == "ok 22");
  CHECK(r.send("set lounge.climate.setpoint 25") == "ok 25");
  CHECK(*r.sim.get("lounge.climate.setpoint") == 25);
  CHECK(r.send("set entrance.fire.alarm 1") == "ok 1");
  CHECK(r.send("sound lounge -30") == "ok -30");
  CHECK(r.send("nonsense").rfind("error unknown command", 0) == 0);

  const auto status = r.send("status");
  REQUIRE(status.rfind("ok ", 0) == 0);
  const auto json = boost::json::parse(status.substr(3)).as_object();
  const auto& buses = json.at("buses").as_array();
  CHECK(buses[0].as_object().at("port").as_int64() == *r.sim.bus_port("main"));
  CHECK(buses[2].as_object().at("transport").as_string() == "rtu (not served)");
}

TEST_CASE("faults and bus outages injected through the control port reach Modbus clients", "[sim][control][socket]") {
  Running r;
  modbus_t* ctx = modbus_new_tcp("127.0.0.1", *r.sim.bus_port("main"));
  modbus_set_slave(ctx, 2);
  modbus_set_response_timeout(ctx, 5, 0);
  REQUIRE(modbus_connect(ctx) == 0);
  std::uint16_t words[2];
  REQUIRE(modbus_read_registers(ctx, 0, 2, words) == 2);

  CHECK(r.send("fault lounge.light exception 2") == "ok exception 2");
  CHECK(modbus_read_registers(ctx, 0, 2, words) == -1);
  CHECK(errno == EMBXILADD);
  CHECK(r.send("fault lounge.light drop") == "ok drop");
  modbus_set_response_timeout(ctx, 0, 300'000);
  CHECK(modbus_read_registers(ctx, 0, 2, words) == -1);
  CHECK(errno == ETIMEDOUT);
  modbus_set_response_timeout(ctx, 5, 0);
  CHECK(r.send("fault lounge.light clear") == "ok none");
  CHECK(modbus_read_registers(ctx, 0, 2, words) == 2);

  const auto status = boost::json::parse(r.send("status").substr(3)).as_object();
  const auto& light = status.at("devices").as_array()[1].as_object();
  CHECK(light.at("id").as_string() == "lounge.light");
  CHECK(light.at("requests").as_int64() == 4);
  CHECK(light.at("dropped").as_int64() == 1);
  CHECK(light.at("exceptions").as_int64() == 1);

  CHECK(r.send("bus main down") == "ok " + std::to_string(*r.sim.bus_port("main")));
  CHECK(r.send("bus main up").rfind("ok ", 0) == 0);
  modbus_close(ctx);
  modbus_free(ctx);
}

TEST_CASE("one connection carries many commands, and bad input gets an answer", "[sim][control][socket]") {
  Running r;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(r.endpoint.port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string lines = "get lounge.light.level\r\nset lounge.light.level 40\n\nget lounge.light.level\nquit\n";
  REQUIRE(::send(fd, lines.data(), lines.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(lines.size()));
  std::string replies;
  char buf[512];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) replies.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  CHECK(replies.rfind("ok 0\nok 40\nerror empty command", 0) == 0);
  CHECK_THAT(replies, Catch::EndsWith("ok 40\nok bye\n"));
}

TEST_CASE("a control client says what to do when nothing listens", "[sim][control][socket]") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);  // a port that was free a moment ago, with nobody listening
  auto reply = sim::send_control_command({"127.0.0.1", ntohs(addr.sin_port)}, "status");
  REQUIRE_FALSE(reply.ok());
  CHECK_THAT(reply.error().message, Catch::Contains("atmo sim"));
}
