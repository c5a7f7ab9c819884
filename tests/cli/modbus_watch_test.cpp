// `atmo modbus watch` against `atmo sim`: repeated reads decoded like the daemon decodes them, the
// bus statistics, and the exit codes when the simulator drops or refuses requests.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "cli_rig.hpp"
#include "config/venue_loader.hpp"
#include "controller/cli/exit_codes.hpp"
#include "zones/venue.hpp"

namespace atmo::cli::test {
namespace {

const std::string kDemoVenue = std::string(ATMO_SOURCE_DIR) + "/config/venues/demo.yaml";

/// `atmo sim` serving the demo venue on ports shifted out of the way, with its control port.
struct Simulator {
  explicit Simulator(const TempDir& dir)
      : dir_(dir),
        // Bus ports are 15020..15022 in the venue: shift them by a per-process amount (ctest -j).
        offset_(20000 + static_cast<int>(::getpid() % 1000) * 10),
        control_(free_port()),
        child_({kAtmo, "sim", "--venue", kDemoVenue, "--port-offset", std::to_string(offset_), "--control",
                "127.0.0.1:" + std::to_string(control_), "--speed", "60", "--clock", test_clock()},
               dir.file("sim")) {
    for (int i = 0; i < 300; ++i) {  // start-up takes well under a second; allow 15 s on a busy CI box
      if (ctl("status").code == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("atmo sim did not start:\n" + child_.err());
  }
  Run ctl(const std::string& words) const {
    return run_atmo(dir_, "sim ctl --control 127.0.0.1:" + std::to_string(control_) + " " + words, {});
  }
  Run atmo(const std::string& args) const { return run_atmo(dir_, args, {}); }
  /// tcp://… of the bus a device of the demo venue is on, and its unit id.
  std::pair<std::string, unsigned> device(const std::string& id) const {
    auto loaded = config::load_venue_file(kDemoVenue);
    if (!loaded.ok()) throw std::runtime_error("the demo venue does not load");
    const auto venue = zones::Venue::create(*loaded.venue);
    for (const auto& d : venue->devices()) {
      if (d.id != id) continue;
      return {"tcp://127.0.0.1:" + std::to_string(d.bus->tcp().port() + static_cast<unsigned>(offset_)), d.config->unit()};
    }
    throw std::runtime_error("no device " + id);
  }

 private:
  const TempDir& dir_;
  int offset_;
  int control_;
  Child child_;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("atmo modbus watch reads the simulator repeatedly and prints the bus statistics") {
  TempDir dir;
  Simulator sim(dir);
  // The lounge's DALI gateway: level (0.1 %) and colour temperature (K) in holding 0 and 1. With no
  // daemon running, nothing but this test writes them.
  REQUIRE(sim.ctl("set lounge.light.level 42.5").code == 0);
  REQUIRE(sim.ctl("set lounge.light.cct 2700").code == 0);
  const auto [bus, unit] = sim.device("lounge.light");
  const std::string light = "modbus watch " + bus + " " + std::to_string(unit) + " holding 0 2";

  auto r = sim.atmo(light + " --count 3 --interval 0.1");
  INFO(r.out << r.err);
  REQUIRE(r.code == kExitOk);
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 4);  // three reads, then the statistics
  for (int i = 0; i < 3; ++i) {
    CHECK_THAT(lines[static_cast<std::size_t>(i)], Catch::Matches(R"(\d\d:\d\d:\d\d  0=425  1=2700  \([0-9.]+ ms\))"));
  }
  CHECK_THAT(lines[3], Catch::StartsWith(bus + " unit " + std::to_string(unit) + ": requests 3  errors 0  timeouts 0  latency p50 "));
  CHECK_THAT(lines[3], Catch::Matches(R"(.* p50 [0-9.]+ ms  p99 [0-9.]+ ms)"));

  // Scaled like the profile does it, as JSON lines with the running statistics; a change shows.
  REQUIRE(sim.ctl("set lounge.light.level 60").code == 0);
  r = sim.atmo("modbus watch " + bus + " " + std::to_string(unit) + " holding 0 --scale 0.1 --count 2 --interval 0.05 --json");
  REQUIRE(r.code == kExitOk);
  const auto json_lines = lines_of(r.out);
  REQUIRE(json_lines.size() == 2);
  const auto last = boost::json::parse(json_lines[1]).as_object();
  CHECK(last.at("read").as_int64() == 2);
  CHECK(last.at("ok").as_bool());
  CHECK(last.at("values").as_array().size() == 1);
  CHECK(last.at("values").as_array().at(0).to_number<double>() == Approx(60.0));
  CHECK(last.at("stats").at("requests").as_int64() == 2);
  CHECK(last.at("stats").at("errors").as_int64() == 0);
  CHECK(last.at("stats").at("latency_p99_ms").to_number<double>() >= last.at("stats").at("latency_p50_ms").to_number<double>());
}

TEST_CASE("atmo modbus watch counts timeouts and exceptions and exits 4 or 5") {
  TempDir dir;
  Simulator sim(dir);
  const auto [bus, unit] = sim.device("lounge.lux");
  const std::string lux = "modbus watch " + bus + " " + std::to_string(unit) + " input 0 --type u32 --timeout 200";

  REQUIRE(sim.ctl("fault lounge.lux drop").code == 0);
  auto r = sim.atmo(lux + " --count 2 --interval 0.05");
  INFO(r.out << r.err);
  CHECK(r.code == kExitUnreachable);
  CHECK(count(r.out, "error: ") == 2);
  CHECK_THAT(r.out, Catch::Contains("requests 2  errors 2  timeouts 2"));
  CHECK_THAT(r.err, Catch::Contains("2 of 2 reads failed"));

  REQUIRE(sim.ctl("fault lounge.lux exception 2").code == 0);
  r = sim.atmo(lux + " --count 2 --interval 0.05 --json");
  CHECK(r.code == kExitDeviceError);
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 2);
  const auto last = boost::json::parse(lines[1]).as_object();
  CHECK_FALSE(last.at("ok").as_bool());
  CHECK(last.at("stats").at("errors").as_int64() == 2);
  CHECK(last.at("stats").at("timeouts").as_int64() == 0);
  CHECK_THAT(std::string(last.at("error").as_string()), Catch::Contains("Illegal data address"));

  // Cleared, the same device answers again.
  REQUIRE(sim.ctl("fault lounge.lux clear").code == 0);
  CHECK(sim.atmo(lux + " --count 1").code == kExitOk);

  // Nobody listening, and a bad command line.
  r = sim.atmo("modbus watch tcp://127.0.0.1:" + std::to_string(free_port()) + " 1 input 0 --count 1");
  CHECK(r.code == kExitUnreachable);
  CHECK_THAT(r.err, Catch::Contains("cannot connect"));
  CHECK(sim.atmo(lux + " --order all --count 1").code == kExitUsage);
  CHECK(sim.atmo("modbus watch " + bus + " 1 input 0 200 --type f32").code == kExitUsage);  // 400 registers

  r = sim.atmo("modbus watch --help");
  CHECK(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::Contains("--interval") && Catch::Contains("--count") && Catch::Contains("Examples"));
}

}  // namespace atmo::cli::test
