// The controller against the real simulator over real Modbus TCP: scenes reach the devices, the
// fire alarm overrides the venue within a second, readings land in the database.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <future>

#include <unistd.h>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <sqlite3.h>

#include "controller/controller.hpp"
#include "controller/sim_link.hpp"
#include "demo_fixture.hpp"
#include "sim/simulator.hpp"

using namespace atmo;
using namespace std::chrono_literals;

namespace {

/// The demo venue served by an in-process simulator, and a controller running on its own thread.
struct LiveVenue {
  SystemClock clock;
  std::filesystem::path state_dir;
  std::shared_ptr<const zones::Venue> demo = test::demo_venue();
  sim::Simulator simulator{demo, clock, [] {
                             sim::SimulatorOptions o;
                             o.ephemeral_ports = true;
                             return o;
                           }()};
  test::RecordingSound sound;
  boost::asio::io_context io{1};
  std::unique_ptr<controller::Controller> ctl;
  std::thread thread;

  explicit LiveVenue(const std::string& name) {
    state_dir = std::filesystem::temp_directory_path() / ("atmo-ctl-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(state_dir);
    std::filesystem::create_directories(state_dir);
    REQUIRE(simulator.start().ok());
    controller::ControllerOptions options;
    options.state_dir = state_dir;
    ctl = std::make_unique<controller::Controller>(io, controller::venue_served_by(*demo, simulator), clock, sound, options);
    REQUIRE(ctl->start().ok());
    thread = std::thread([this] { io.run(); });
  }
  ~LiveVenue() {
    boost::asio::post(io, [this] { ctl->stop(); io.stop(); });
    thread.join();
    ctl.reset();
    simulator.stop();
    std::filesystem::remove_all(state_dir);
  }

  /// Runs `f` on the controller thread and waits for it.
  template <class F>
  auto on_controller(F f) {
    std::promise<decltype(f())> done;
    boost::asio::post(io, [&] { done.set_value(f()); });
    return done.get_future().get();
  }

  /// Polls until `pred` holds or `limit` passes; returns how long it took, or nothing.
  static std::optional<std::chrono::milliseconds> wait_for(const std::function<bool()>& pred,
                                                           std::chrono::milliseconds limit) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < limit) {
      if (pred()) return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
      std::this_thread::sleep_for(5ms);
    }
    return std::nullopt;
  }

  double sim_value(const std::string& point) const { return simulator.get(point).value(); }
};

}  // namespace

TEST_CASE("a zone scene applied in the controller reaches the simulated devices", "[integration]") {
  LiveVenue venue("scene");
  auto ok = venue.on_controller([&] { return venue.ctl->apply_zone_scene("lounge", "cleaning", "test").ok(); });
  REQUIRE(ok);
  // Cleaning: 100 %, 4000 K, setpoint 21 °C, fade 3 s.
  CHECK(LiveVenue::wait_for([&] { return venue.sim_value("lounge.light.level") == 100; }, 10s));
  CHECK(LiveVenue::wait_for([&] { return venue.sim_value("lounge.light.cct") == 4000; }, 10s));
  CHECK(LiveVenue::wait_for([&] { return venue.sim_value("lounge.climate.setpoint") == 21; }, 10s));
  CHECK(venue.sim_value("lounge.scent.enabled") == 0);
}

TEST_CASE("the fire alarm input overrides the whole venue within one second", "[integration][safety]") {
  LiveVenue venue("fire");
  // Let the schedule's scene settle on the devices first.
  REQUIRE(LiveVenue::wait_for([&] { return venue.on_controller([&] { return venue.ctl->live().size() > 100; }); }, 15s));
  std::vector<std::string> lights, diffusers;
  for (const auto& p : venue.demo->points()) {
    if (p.disabled || !p.output()) continue;
    if (p.quantity() == v1::QUANTITY_LIGHT_LEVEL) lights.push_back(p.id);
    if (p.quantity() == v1::QUANTITY_SCENT_ENABLE) diffusers.push_back(p.id);
  }
  REQUIRE(lights.size() >= 8);
  REQUIRE(diffusers.size() >= 5);
  // Put scent on everywhere it can be, so "off" is a change we can see.
  for (const auto& d : diffusers) REQUIRE(venue.simulator.set(d, 1).ok());

  REQUIRE(venue.simulator.set("entrance.fire.alarm", 1).ok());
  std::string pending;  // the first output not yet safe, for the failure message
  const auto took = LiveVenue::wait_for(
      [&] {
        for (const auto& l : lights) {
          if (venue.sim_value(l) != 100) return (pending = l + " = " + std::to_string(venue.sim_value(l))), false;
        }
        for (const auto& d : diffusers) {
          if (venue.sim_value(d) != 0) return (pending = d + " = " + std::to_string(venue.sim_value(d))), false;
        }
        return venue.on_controller([&] {
          for (const auto& z : venue.demo->zones()) {
            auto s = venue.ctl->scenes().sound(z.id());
            if (!s || !s->muted) return (pending = z.id() + " sound not muted"), false;
          }
          return true;
        });
      },
      1000ms);
  INFO("still not safe: " << pending);
  REQUIRE(took);
  WARN("fire alarm override took " << took->count() << " ms");
  CHECK(venue.on_controller([&] { return !venue.ctl->apply_zone_scene("lounge", "day", "test").ok(); }));

  REQUIRE(venue.simulator.set("entrance.fire.alarm", 0).ok());
  CHECK(LiveVenue::wait_for([&] { return !venue.on_controller([&] { return venue.ctl->fire_alarm(); }); }, 2s));
  CHECK(venue.on_controller([&] { return venue.ctl->apply_zone_scene("lounge", "cleaning", "test").ok(); }));
}

TEST_CASE("readings from the simulator are stored with their quality", "[integration]") {
  LiveVenue venue("ingest");
  REQUIRE(LiveVenue::wait_for([&] { return venue.on_controller([&] { return venue.ctl->live().count("lounge.air.temperature") > 0; }); }, 10s));
  REQUIRE(venue.on_controller([&] { return venue.ctl->store()->flush(); }));
  sqlite3* db = nullptr;
  const auto path = (venue.state_dir / "atmo-demo.db").string();
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*) FROM readings", -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(sqlite3_column_int64(stmt, 0) > 50);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

// The daemon and `atmo report` find the database through one function; its default name used to be
// joined to a relative state directory twice ("state/state/<venue id>.db").
TEST_CASE("the telemetry database is the venue's storage path or <venue id>.db, under the state dir once") {
  const auto demo = test::demo_venue();
  CHECK(controller::telemetry_database_path(*demo, "state") == "state/" + demo->config().storage().database());
  v1::Venue config = demo->config();
  config.mutable_storage()->clear_database();
  const auto unnamed = zones::Venue::create(std::move(config));
  CHECK(controller::telemetry_database_path(*unnamed, "state") == "state/" + unnamed->id() + ".db");
  CHECK(controller::telemetry_database_path(*unnamed, "/var/lib/atmo") == "/var/lib/atmo/" + unnamed->id() + ".db");
  config = demo->config();
  config.mutable_storage()->set_database("/srv/atmo/venue.db");
  CHECK(controller::telemetry_database_path(*zones::Venue::create(std::move(config)), "state") == "/srv/atmo/venue.db");
}
