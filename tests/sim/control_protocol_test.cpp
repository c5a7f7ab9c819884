// The control language, executed directly against a simulator (no sockets).
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "sim/control_client.hpp"
#include "sim/control_protocol.hpp"
#include "sim/device_fault.hpp"
#include "sim/simulator.hpp"
#include "sim_test_venue.hpp"

using namespace atmo;
using atmo::sim::execute_control_command;

namespace {

sim::SimulatorOptions manual_options() {
  sim::SimulatorOptions o;
  o.tick_thread = false;
  return o;
}

}  // namespace

TEST_CASE("faults parse from the words of the control protocol", "[sim][control]") {
  using sim::FaultKind;
  CHECK(*sim::parse_fault("drop") == sim::DeviceFault{FaultKind::drop, 0, 0});
  CHECK(*sim::parse_fault("delay 250") == sim::DeviceFault{FaultKind::delay, 250, 0});
  CHECK(*sim::parse_fault(" exception 6 ") == sim::DeviceFault{FaultKind::exception, 0, 6});
  CHECK(*sim::parse_fault("garbage") == sim::DeviceFault{FaultKind::garbage, 0, 0});
  CHECK(*sim::parse_fault("close") == sim::DeviceFault{FaultKind::close, 0, 0});
  CHECK(*sim::parse_fault("clear") == sim::DeviceFault{});
  for (const char* bad : {"", "delay", "delay x", "delay -5", "exception 0", "exception 256", "drop 3", "melt"}) {
    INFO("'" << bad << "'");
    auto r = sim::parse_fault(bad);
    REQUIRE_FALSE(r.ok());
    CHECK_FALSE(r.error().message.empty());
  }
  for (const auto& f : {sim::DeviceFault{FaultKind::delay, 40, 0}, sim::DeviceFault{FaultKind::exception, 0, 4},
                        sim::DeviceFault{FaultKind::drop, 0, 0}, sim::DeviceFault{}}) {
    auto text = sim::to_string(f);
    CHECK(*sim::parse_fault(text == "none" ? "clear" : text) == f);
  }
}

TEST_CASE("control endpoints parse as HOST:PORT", "[sim][control]") {
  auto e = sim::parse_endpoint("127.0.0.1:15010");
  REQUIRE(e.ok());
  CHECK(e->host == "127.0.0.1");
  CHECK(e->port == 15010);
  CHECK_FALSE(sim::parse_endpoint("127.0.0.1").ok());
  CHECK_FALSE(sim::parse_endpoint("127.0.0.1:99999").ok());
  CHECK_FALSE(sim::parse_endpoint(":80").ok());
}

TEST_CASE("control commands read, force and fault the simulated venue", "[sim][control]") {
  ManualClock clock(0);
  sim::Simulator sim(sim::test::make_test_venue(), clock, manual_options());

  CHECK(execute_control_command(sim, "get lounge.climate.setpoint") == "ok 22");
  CHECK(execute_control_command(sim, "set lounge.climate.setpoint 24.5") == "ok 24.5");
  CHECK(execute_control_command(sim, "get lounge.climate.setpoint") == "ok 24.5");
  CHECK(execute_control_command(sim, "set entrance.fire.alarm 1") == "ok 1");
  CHECK(execute_control_command(sim, "set lounge.climate.humidity 39.9") == "ok 39.9");  // not 39.900000000000006
  CHECK(*sim.get("entrance.fire.alarm") == 1);
  CHECK(execute_control_command(sim, "sound lounge -20") == "ok -20");
  CHECK(sim.status().simulated_ms == 0);
  CHECK(execute_control_command(sim, "sound lounge off") == "ok off");
  CHECK(execute_control_command(sim, "fault lounge.light delay 300") == "ok delay 300");
  CHECK(sim.status().devices[1].fault == sim::DeviceFault{sim::FaultKind::delay, 300, 0});
  CHECK(execute_control_command(sim, "fault lounge.light clear") == "ok none");
  CHECK(execute_control_command(sim, "points hammam").rfind("ok hammam.climate.setpoint ", 0) == 0);

  const auto status = execute_control_command(sim, "status");
  REQUIRE(status.rfind("ok {", 0) == 0);
  const auto json = boost::json::parse(status.substr(3)).as_object();
  CHECK(json.at("devices").as_array().size() == sim.venue().devices().size());
  CHECK(json.at("buses").as_array().size() == 3);
  CHECK(json.at("devices").as_array()[0].as_object().at("id").as_string() == "lounge.climate");

  CHECK(execute_control_command(sim, "help").rfind("ok commands:", 0) == 0);
}

TEST_CASE("control command mistakes get an error line that says what to do", "[sim][control]") {
  ManualClock clock(0);
  sim::Simulator sim(sim::test::make_test_venue(), clock, manual_options());
  const auto is_error_with = [&](const char* line, const char* text) {
    const auto reply = execute_control_command(sim, line);
    INFO(line << " -> " << reply);
    CHECK(reply.rfind("error ", 0) == 0);
    CHECK_THAT(reply, Catch::Contains(text));
  };
  is_error_with("", "commands:");
  is_error_with("frobnicate", "unknown command 'frobnicate'");
  is_error_with("get", "usage: get POINT");
  is_error_with("get lounge.nope", "lounge.climate.setpoint");
  is_error_with("set lounge.climate.setpoint warm", "must be a number");
  is_error_with("set lounge.climate.setpoint 80", "outside its range");
  is_error_with("sound lounge loud", "dBFS");
  is_error_with("sound attic -20", "no zone 'attic'");
  is_error_with("fault lounge.light melt", "unknown fault 'melt'");
  is_error_with("fault lounge.lamp drop", "no device 'lounge.lamp'");
  is_error_with("bus main sideways", "usage: bus BUS down|up");
  is_error_with("bus attic down", "no bus 'attic'");
  is_error_with("bus rs485 down", "not served");
  is_error_with("points attic", "no points in zone 'attic'");
}
