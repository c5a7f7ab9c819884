#include "controller/cli/sim_commands.hpp"

#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <pthread.h>

#include <spdlog/spdlog.h>

#include "config/venue_loader.hpp"
#include "controller/cli/clock_options.hpp"
#include "controller/cli/exit_codes.hpp"
#include "sim/control_client.hpp"
#include "sim/control_protocol.hpp"
#include "sim/control_server.hpp"
#include "sim/simulator.hpp"
#include "zones/clock.hpp"
#include "zones/venue_clock.hpp"
#include "zones/venue.hpp"

namespace atmo::cli {
namespace {

struct SimOptions {
  std::string venue_file;
  int port_offset = 0;
  std::string control{sim::kDefaultControlEndpoint};
  std::string listen;
  double speed = 1.0;
  std::uint64_t seed = 1;
  ClockOptions clock;
};

struct CtlOptions {
  std::string control{sim::kDefaultControlEndpoint};
  std::vector<std::string> words;
};

int run_sim(const SimOptions& o) {
  // Block the stop signals before any thread starts, so they all inherit the mask and only
  // sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const auto loaded = o.venue_file.empty() ? config::load_embedded_demo() : config::load_venue_file(o.venue_file);
  if (!loaded.ok()) {
    for (const auto& d : loaded.errors) std::cerr << d.to_string() << "\n";
    std::cerr << "atmo sim: the venue has " << loaded.errors.size() << " problem(s); nothing started\n";
    return kExitConfigInvalid;
  }
  const auto venue = zones::Venue::create(*loaded.venue);

  // The daemon driving these devices is given the same --clock/--rate, so both agree on venue time.
  const auto venue_clock = process_clock_or_exit(o.clock, venue->config().time_zone(), "atmo sim");
  const Clock& clock = *venue_clock;
  sim::SimulatorOptions options;
  options.port_offset = o.port_offset;
  options.listen_host = o.listen;
  options.speed = o.speed;
  options.seed = o.seed;
  sim::Simulator simulator(venue, clock, options);
  auto started = simulator.start();
  if (!started) {
    std::cerr << "atmo sim: " << started.error().message << "\n";
    return kExitFailure;
  }
  sim::ControlServer control(simulator);
  std::string control_where = "off";
  if (o.control != "off") {
    auto endpoint = sim::parse_endpoint(o.control);
    if (!endpoint) {
      std::cerr << "atmo sim: --control: " << endpoint.error().message << "\n";
      return kExitUsage;
    }
    auto port = control.start(endpoint->host, endpoint->port);
    if (!port) {
      std::cerr << "atmo sim: " << port.error().message << "\n";
      return kExitFailure;
    }
    control_where = endpoint->host + ":" + std::to_string(*port);
  }
  std::cout << "atmo sim: venue " << venue->id() << ", " << venue->devices().size() << " device(s) on " << *started
            << " bus(es), speed x" << o.speed << ", control " << control_where;
  if (clock.simulated()) {
    std::cout << ", simulated time " << format_venue_time(clock.now_ms(), venue->config().time_zone()) << " at rate x"
              << clock.rate();
  }
  std::cout << "; Ctrl-C stops\n"
            << std::flush;

  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("sim: stopping on signal {}", signal);
  control.stop();
  simulator.stop();
  return kExitOk;
}

int run_ctl(const CtlOptions& o) {
  auto endpoint = sim::parse_endpoint(o.control);
  if (!endpoint) {
    std::cerr << "atmo sim ctl: --control: " << endpoint.error().message << "\n";
    return kExitUsage;
  }
  std::string line;
  for (const auto& w : o.words) line += (line.empty() ? "" : " ") + w;
  auto reply = sim::send_control_command(*endpoint, line);
  if (!reply) {
    std::cerr << "atmo sim ctl: " << reply.error().message << "\n";
    return kExitUnreachable;
  }
  const bool ok = reply->rfind("ok", 0) == 0;
  (ok ? std::cout : std::cerr) << *reply << "\n";
  return ok ? kExitOk : kExitFailure;
}

}  // namespace

void add_sim_commands(CLI::App& app) {
  auto* sim = app.add_subcommand(
      "sim", "Serve every device of a venue as simulated Modbus TCP hardware (one port per bus), with "
             "simple room physics and run-time fault injection");
  auto sim_options = std::make_shared<SimOptions>();
  sim->add_option("--venue", sim_options->venue_file, "Venue file (YAML); default: the built-in demo venue")
      ->check(CLI::ExistingFile);
  sim->add_option("--port-offset", sim_options->port_offset,
                  "Added to every bus's TCP port, so several simulators can run side by side")
      ->capture_default_str();
  sim->add_option("--control", sim_options->control,
                  "HOST:PORT of the control port (see `atmo sim ctl help`), or 'off'")
      ->capture_default_str();
  sim->add_option("--listen", sim_options->listen,
                  "Serve every bus on this IPv4 address instead of the host the venue names");
  sim->add_option("--speed", sim_options->speed, "Simulated seconds per real second (60: an hour a minute)")
      ->check(CLI::Range(0.001, 100000.0))
      ->capture_default_str();
  sim->add_option("--seed", sim_options->seed, "Seed of the physics' randomness (occupancy, noise events)")
      ->capture_default_str();
  add_clock_options(sim, sim_options->clock);

  auto* ctl = sim->add_subcommand("ctl", "Send one command to a running simulator and print its reply; exit "
                                         "status 0 ok, 1 error reply, 4 not reachable.\n" +
                                             sim::control_help());
  auto ctl_options = std::make_shared<CtlOptions>();
  ctl->add_option("--control", ctl_options->control, "HOST:PORT of the simulator's control port")
      ->capture_default_str();
  ctl->add_option("command", ctl_options->words, "The command and its arguments, e.g. fault lounge.air drop")
      ->required()
      ->expected(1, 16);
  ctl->positionals_at_end();

  ctl->callback([ctl_options] {
    if (const int rc = run_ctl(*ctl_options); rc != 0) throw CLI::RuntimeError(rc);
  });
  sim->callback([sim, ctl, sim_options] {
    if (sim->got_subcommand(ctl)) return;
    if (const int rc = run_sim(*sim_options); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace atmo::cli
