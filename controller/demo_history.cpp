#include "controller/demo_history.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "controller/audio_output.hpp"
#include "controller/controller.hpp"
#include "controller/sim_link.hpp"
#include "sim/simulator.hpp"
#include "zones/venue_clock.hpp"

namespace atmo::controller {

namespace {

constexpr TimeMs kDayMs = 24LL * 3600 * 1000;
constexpr auto kCheckEvery = std::chrono::milliseconds(200);
/// Real time kept between the lived days' end and the daemon's start (timer lateness is far less).
constexpr double kSeamRealMs = 20.0;

}  // namespace

bool demo_has_no_history(const zones::Venue& venue, const std::filesystem::path& state_dir) {
  std::error_code ec;
  return !std::filesystem::exists(telemetry_database_path(venue, state_dir), ec);
}

Status live_demo_history(std::shared_ptr<const zones::Venue> venue, const std::function<TimeMs()>& until,
                         bool simulated, const DemoHistoryOptions& options, const HistoryProgress& progress) {
  if (options.days <= 0) return ok_status();
  const TimeMs start = until() - options.days * kDayMs;
  // Of the daemon's kind of clock (simulated or not): its database continues on that clock, and
  // check_clock_mark must accept it.
  const VenueClock clock(start, options.rate, simulated);

  sim::SimulatorOptions sim_options;
  sim_options.ephemeral_ports = true;
  sim_options.speed = options.sim_speed;
  sim::Simulator simulator(venue, clock, sim_options);
  if (auto served = simulator.start(); !served) return make_error("the simulator cannot start: " + served.error().message);
  const auto served_venue = venue_served_by(*venue, simulator);

  // No speakers while the past is lived; the simulated rooms still hear what the scenes would play.
  AudioOutput sound(served_venue, nullptr, clock.rate());
  sound.set_listener([&simulator](std::string_view zone, std::optional<double> level_db) {
    (void)simulator.set_sound_level(zone, level_db);
  });
  boost::asio::io_context io(1);
  ControllerOptions controller_options;
  controller_options.state_dir = options.state_dir;
  Controller controller(io, served_venue, clock, sound, controller_options);
  sound.start();
  if (auto started = controller.start(); !started) {
    sound.stop();
    simulator.stop();
    return started.error();
  }

  // Stop just before the target's now, the last wait timed to land there: a gap of a venue minute
  // or two at the seam is harmless, readings stamped after the daemon's first ones would not be.
  const TimeMs margin = static_cast<TimeMs>(std::ceil(options.rate * kSeamRealMs));
  boost::asio::steady_timer check(io);
  std::function<void()> arm;
  const auto arm_for = [&](std::chrono::milliseconds wait) {
    check.expires_after(wait);
    check.async_wait([&](const boost::system::error_code& error) {
      if (!error) arm();
    });
  };
  arm = [&] {
    const TimeMs now = clock.now_ms(), end = until() - margin;
    if (progress) progress(std::clamp(double(now - start) / double(std::max<TimeMs>(1, end - start)), 0.0, 1.0), now);
    if (now >= end) {
      controller.stop();
      io.stop();
      return;
    }
    const auto left = std::chrono::milliseconds(static_cast<long long>(std::ceil(double(end - now) / options.rate)));
    arm_for(std::min(kCheckEvery, left));
  };
  arm_for(kCheckEvery);
  io.run();
  controller.stop();
  sound.stop();
  simulator.stop();
  return ok_status();
}

}  // namespace atmo::controller
