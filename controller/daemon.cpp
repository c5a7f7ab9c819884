#include "controller/daemon.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "controller/api/api_server.hpp"
#include "controller/audio_output.hpp"
#include "controller/controller.hpp"
#include "controller/demo_history.hpp"
#include "controller/fleet/fleet_services.hpp"
#include "controller/service/journal_log_format.hpp"
#include "controller/service/service_heartbeat.hpp"
#include "controller/service/service_notifier.hpp"
#include "controller/service/venue_summary.hpp"
#include "controller/sim_link.hpp"
#include "sim/simulator.hpp"
#include "zones/venue_clock.hpp"

namespace atmo::controller {

namespace {

/// ATMO_DEBUG_STALL_SECONDS=N: each SIGUSR2 blocks the logic thread for N seconds, as a deadlock
/// would, to check that the service watchdog notices (docs/operations.md). There is no honest way
/// to hang the controller thread from outside: SIGSTOP would stop every thread, the timers' too.
void arm_debug_stall(boost::asio::signal_set& signals, std::chrono::seconds stall) {
  signals.async_wait([&signals, stall](const boost::system::error_code& error, int) {
    if (error) return;
    spdlog::warn("SIGUSR2 with ATMO_DEBUG_STALL_SECONDS: the logic thread is blocked for {} s", stall.count());
    std::this_thread::sleep_for(stall);
    arm_debug_stall(signals, stall);
  });
}

std::optional<std::chrono::seconds> debug_stall_from_environment() {
  const char* text = std::getenv("ATMO_DEBUG_STALL_SECONDS");
  if (!text || !*text) return std::nullopt;
  const long seconds = std::strtol(text, nullptr, 10);
  if (seconds <= 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

/// SIGHUP must not kill the daemon (its default action): `kill -HUP` from a technician's habit.
/// Reloading the venue file is not built yet (issue 17 item 3), so it says so instead.
void arm_hangup(boost::asio::signal_set& signals) {
  signals.async_wait([&signals](const boost::system::error_code& error, int) {
    if (error) return;
    spdlog::warn("SIGHUP: reloading the venue file is not supported yet; restart atmo to apply a changed venue file");
    arm_hangup(signals);
  });
}


/// One line that fills in place on a terminal, a line per lived day in a log.
class HistoryBar {
 public:
  explicit HistoryBar(int days) : days_(days), terminal_(isatty(STDERR_FILENO) == 1) {}
  void operator()(double fraction, TimeMs) {
    const int day = std::min(days_, static_cast<int>(fraction * days_) + 1);
    if (terminal_) {
      const int filled = static_cast<int>(fraction * kWidth);
      std::cerr << "\r  living the demo's last " << days_ << " days: [" << std::string(filled, '#')
                << std::string(kWidth - filled, ' ') << "] day " << day << " of " << days_ << std::flush;
    } else if (day != shown_) {
      spdlog::info("demo history: living day {} of {}", day, days_);
    }
    shown_ = day;
  }
  ~HistoryBar() {
    if (terminal_ && shown_ != 0) std::cerr << "\n";
  }

 private:
  static constexpr int kWidth = 28;
  int days_;
  bool terminal_;
  int shown_ = 0;
};

/// The demo's first start: its last days lived before the daemon opens (see demo_history.hpp).
/// Returns the clock the daemon runs on: a time-lapse's pinned clock starts again at its start,
/// where the lived days ended.
Result<std::shared_ptr<const Clock>> live_history_first(const std::shared_ptr<const zones::Venue>& venue,
                                                        std::shared_ptr<const Clock> clock,
                                                        const DaemonOptions& options) {
  if (!options.demo || options.history_days <= 0 || !demo_has_no_history(*venue, options.state_dir)) return clock;
  const auto* pinned = dynamic_cast<const VenueClock*>(clock.get());
  const std::function<TimeMs()> until = pinned ? std::function<TimeMs()>([start = pinned->start_ms()] { return start; })
                                               : std::function<TimeMs()>([&clock] { return clock->now_ms(); });
  DemoHistoryOptions history;
  history.days = options.history_days;
  history.state_dir = options.state_dir;
  history.sim_speed = options.sim_speed;
  spdlog::info("first start of the demo: living its last {} days on a fast clock, once (--history-days 0 skips it)",
               history.days);
  const auto began = std::chrono::steady_clock::now();
  {
    HistoryBar bar(history.days);
    if (auto lived = live_demo_history(venue, until, clock->simulated(), history, std::ref(bar)); !lived) {
      return lived.error();
    }
  }
  spdlog::info("demo history: {} days lived in {} s", history.days,
               std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - began).count());
  if (pinned) return std::shared_ptr<const Clock>(std::make_shared<const VenueClock>(pinned->start_ms(), pinned->rate()));
  return clock;
}

}  // namespace

int run_daemon(std::shared_ptr<const zones::Venue> venue, const DaemonOptions& options) {
  service::use_journal_format_under_systemd();
  std::error_code ec;
  std::filesystem::create_directories(options.state_dir, ec);
  if (ec) {
    spdlog::error("cannot create the state directory {}: {}", options.state_dir.string(), ec.message());
    return 1;
  }
  auto lived = live_history_first(venue, options.clock ? options.clock : std::make_shared<const SystemClock>(), options);
  if (!lived) {
    spdlog::error("the demo's history: {}", lived.error().message);
    return 1;
  }
  const auto venue_clock = std::move(lived).value();
  const Clock& clock = *venue_clock;
  boost::asio::io_context io(1);
  // Registered before anything starts: a stop signal during start-up is queued until io.run()
  // instead of killing the process with the default action half-way through.
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::signal_set hangup(io, SIGHUP);
  arm_hangup(hangup);
  std::function<void()> on_stop = [&io] { io.stop(); };
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    spdlog::info("signal {}: stopping", signal);
    on_stop();
  });
  // The demo's devices: the simulator serves every bus on a free port, in this process.
  std::unique_ptr<sim::Simulator> simulator;
  if (options.demo) {
    sim::SimulatorOptions sim_options;
    sim_options.ephemeral_ports = true;
    sim_options.speed = options.sim_speed;
    simulator = std::make_unique<sim::Simulator>(venue, clock, sim_options);
    auto served = simulator->start();
    if (!served) {
      spdlog::error("the simulator cannot start: {}", served.error().message);
      return 1;
    }
    venue = venue_served_by(*venue, *simulator);
    for (const auto& bus : venue->config().buses()) {
      if (bus.has_tcp()) spdlog::info("simulator: bus {} on 127.0.0.1:{}", bus.id(), bus.tcp().port());
    }
  }

  std::unique_ptr<audio::AudioEngine> engine;
  if (options.audio) engine = std::make_unique<audio::AudioEngine>(audio_settings_for(*venue));
  AudioOutput sound(venue, std::move(engine), clock.rate());
  if (simulator) {
    // Noise sensors in the simulated rooms hear the soundscapes.
    sound.set_listener([sim = simulator.get()](std::string_view zone, std::optional<double> level_db) {
      (void)sim->set_sound_level(zone, level_db);
    });
  }

  ControllerOptions controller_options;
  controller_options.state_dir = options.state_dir;
  Controller controller(io, venue, clock, sound, controller_options);
  // Prometheus /metrics and the chain's MQTT broker (docs/fleet.md); counts events from here on.
  auto fleet_services = fleet::FleetServices::create(controller, &sound, options.mqtt_broker);
  if (!fleet_services) {
    spdlog::error("{}", fleet_services.error().message);
    return 1;
  }
  sound.start();
  if (auto started = controller.start(); !started) {
    spdlog::error("{}", started.error().message);
    return 1;
  }
  if (auto started = fleet_services.value()->start(); !started) {
    spdlog::error("{}", started.error().message);
    controller.stop();
    return 1;
  }
  const auto audio = sound.status();
  spdlog::info("audio: {}{}", audio::to_string(audio.state), audio.reason.empty() ? "" : " (" + audio.reason + ")");

  api::ApiOptions api_options;
  api_options.listen = options.listen;
  api_options.tls_cert = options.tls_cert;
  api_options.tls_key = options.tls_key;
  api_options.allowed_origins = options.allowed_origins;
  api_options.state_dir = options.state_dir;
  api_options.web_dir = options.web_dir;
  api_options.set_sound_level = [&sound](std::string_view zone, double level_db) { return sound.set_level(zone, level_db); };
  if (options.audio) {
    api_options.play_test_tone = [&sound](std::string_view zone, double level_db,
                                          std::chrono::milliseconds duration) -> Result<api::TestToneStarted> {
      auto tone = sound.play_test_tone(zone, level_db, duration);
      if (!tone) return tone.error();
      return api::TestToneStarted{tone->level_db, tone->frequency_hz, tone->device};
    };
  }
  fleet_services.value()->wire(api_options);
  api::ApiServer api_server(controller, api_options);
  if (auto started = api_server.start(); !started) {
    spdlog::error("the API cannot start: {}", started.error().message);
    controller.stop();
    return 1;
  }
  if (options.demo) {
    if (auto seeded = api_server.seed_demo_users(); !seeded) spdlog::warn("demo users: {}", seeded.error().message);
  }
  const std::string scheme = api_server.tls() ? "https" : "http";
  std::cout << "\n  atmo " << (options.demo ? "demo " : "") << "is running: open " << scheme << "://127.0.0.1:"
            << api_server.port() << "/ on the tablet" << (options.demo ? " (demo users: see the warning above)" : "")
            << "\n  Stop with Ctrl-C.\n\n"
            << std::flush;

  // Buses, store and API are up: tell the service manager, then keep its watchdog fed from this thread.
  const auto notifier = service::ServiceNotifier::from_environment();
  service::ServiceHeartbeat heartbeat(io, notifier, [&] { return service::venue_summary(controller, sound.status()); });
  heartbeat.start();
  boost::asio::signal_set stall_signals(io);
  if (auto stall = debug_stall_from_environment()) {
    stall_signals.add(SIGUSR2);
    arm_debug_stall(stall_signals, *stall);
  }

  on_stop = [&] {
    heartbeat.stop();
    stall_signals.cancel();
    hangup.cancel();
    api_server.stop();
    controller.stop();
    io.stop();
  };
  spdlog::info("atmo is running for {} ({} zones, {} devices); state in {}", venue->id(), venue->zones().size(),
               venue->devices().size(), options.state_dir.string());
  io.run();
  heartbeat.stop();
  api_server.stop();
  controller.stop();
  fleet_services.value()->stop();  // after the controller's last events, so they reach the broker too
  sound.stop();
  if (simulator) simulator->stop();
  return 0;
}

}  // namespace atmo::controller
