// `atmo sim` as a process, the way the demo and a developer run it: the real binary, the demo
// venue file, `atmo sim ctl` for control, a raw libmodbus client for the devices, SIGTERM to stop.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <modbus/modbus.h>

#include "tests/free_port.hpp"
#include "tests/test_clock.hpp"

#include "config/venue_loader.hpp"
#include "drivers/modbus/register_codec.hpp"
#include "sim/control_client.hpp"
#include "zones/venue.hpp"

namespace {

const std::string kDemoVenue = std::string(ATMO_SOURCE_DIR) + "/config/venues/demo.yaml";

using ::atmo::test::free_port;

/// Runs `atmo` with arguments; returns its exit status and what it printed (stdout and stderr).
std::pair<int, std::string> run_atmo(const std::string& args) {
  const std::string command = std::string(ATMO_EXE) + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

/// `atmo sim` in a child process, stopped with SIGTERM by stop() or the destructor.
class SimProcess {
 public:
  SimProcess(int port_offset, int control_port) {
    const std::string offset = std::to_string(port_offset);
    const std::string control = "127.0.0.1:" + std::to_string(control_port);
    const std::string clock = atmo::test::test_clock();
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::execl(ATMO_EXE, ATMO_EXE, "sim", "--venue", kDemoVenue.c_str(), "--port-offset", offset.c_str(),
              "--control", control.c_str(), "--speed", "60", "--clock", clock.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~SimProcess() {
    if (pid_ > 0) stop();
  }
  int stop() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
};

}  // namespace

TEST_CASE("atmo sim serves the demo venue and obeys atmo sim ctl", "[sim][process]") {
  auto loaded = atmo::config::load_venue_file(kDemoVenue);
  REQUIRE(loaded.ok());
  const auto venue = atmo::zones::Venue::create(*loaded.venue);
  const auto* setpoint = venue->point("lounge.climate.setpoint");
  REQUIRE(setpoint != nullptr);
  REQUIRE(setpoint->device->bus->has_tcp());

  const int control_port = free_port();
  const int port_offset = 20000 + static_cast<int>(::getpid() % 1000) * 10;  // parallel runs apart
  SimProcess sim(port_offset, control_port);
  const atmo::sim::Endpoint control{"127.0.0.1", control_port};
  bool ready = false;
  for (int i = 0; i < 300 && !ready; ++i) {  // start-up takes well under a second; allow 15 s on CI
    ready = atmo::sim::send_control_command(control, "help").ok();
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(ready);
  const std::string ctl = "sim ctl --control 127.0.0.1:" + std::to_string(control_port) + " ";

  // A client reads the setpoint's registers, decodes them with the profile, and writes a new one.
  modbus_t* ctx = modbus_new_tcp("127.0.0.1", static_cast<int>(setpoint->device->bus->tcp().port()) + port_offset);
  modbus_set_slave(ctx, static_cast<int>(setpoint->device->config->unit()));
  modbus_set_response_timeout(ctx, 5, 0);
  REQUIRE(modbus_connect(ctx) == 0);
  std::uint16_t word = 0;
  REQUIRE(modbus_read_registers(ctx, static_cast<int>(setpoint->map->address()), 1, &word) == 1);
  const auto [rc_get, out_get] = run_atmo(ctl + "get lounge.climate.setpoint");
  CHECK(rc_get == 0);
  CHECK(out_get == "ok " + std::to_string(static_cast<int>(*atmo::modbus::decode(*setpoint->map, std::span(&word, 1)))) + "\n");
  auto raw = atmo::modbus::encode(*setpoint->map, 23.5);
  REQUIRE(raw.ok());
  REQUIRE(modbus_write_register(ctx, static_cast<int>(setpoint->map->address()), raw->words[0]) == 1);
  CHECK(run_atmo(ctl + "get lounge.climate.setpoint").second == "ok 23.5\n");

  // Faults from the command line reach the client; negative numbers pass through as arguments.
  CHECK(run_atmo(ctl + "fault lounge.climate drop") == std::make_pair(0, std::string("ok drop\n")));
  modbus_set_response_timeout(ctx, 0, 300'000);
  CHECK(modbus_read_registers(ctx, static_cast<int>(setpoint->map->address()), 1, &word) == -1);
  CHECK(errno == ETIMEDOUT);
  CHECK(run_atmo(ctl + "fault lounge.climate clear").first == 0);
  CHECK(run_atmo(ctl + "sound lounge -30") == std::make_pair(0, std::string("ok -30\n")));

  const auto [rc_bad, out_bad] = run_atmo(ctl + "get lounge.nope");
  CHECK(rc_bad == 1);
  CHECK_THAT(out_bad, Catch::StartsWith("error no point 'lounge.nope'"));
  modbus_close(ctx);
  modbus_free(ctx);

  CHECK(sim.stop() == 0);  // SIGTERM is a clean stop
  const auto [rc_gone, out_gone] = run_atmo(ctl + "status");
  CHECK(rc_gone == 4);
  CHECK_THAT(out_gone, Catch::Contains("is `atmo sim` running"));
}

TEST_CASE("atmo sim refuses a venue with errors and names them", "[sim][process]") {
  const auto file = std::filesystem::temp_directory_path() / ("atmo-sim-broken-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(file) << "id: broken\nbuses:\n  - id: main\n    tcp: {host: 127.0.0.1, port: notaport}\n";
  const auto [rc, out] = run_atmo("sim --venue " + file.string() + " --control off");
  std::filesystem::remove(file);
  CHECK(rc == 3);
  CHECK_THAT(out, Catch::Contains(file.filename().string()) && Catch::Contains("nothing started"));
}

TEST_CASE("atmo sim --help explains the options", "[sim][process]") {
  const auto [rc, out] = run_atmo("sim --help");
  CHECK(rc == 0);
  for (const char* option : {"--venue", "--port-offset", "--control", "--speed", "--seed", "ctl"}) {
    CHECK_THAT(out, Catch::Contains(option));
  }
}
