#include "controller/cli/serve_commands.hpp"

#include <iostream>
#include <memory>

#include "config/venue_loader.hpp"
#include "config/web_origin.hpp"
#include "controller/cli/clock_options.hpp"
#include "controller/cli/exit_codes.hpp"
#include "controller/daemon.hpp"
#include "zones/venue.hpp"

namespace atmo::cli {
namespace {

struct ServeOptions {
  std::string config;
  controller::DaemonOptions daemon;
  ClockOptions clock;
  bool no_audio = false;
  int port = 8080;
};

void add_common(CLI::App* cmd, ServeOptions& o) {
  cmd->add_option("--state-dir", o.daemon.state_dir, "Database, users and audit log live here")->capture_default_str();
  cmd->add_option("--web-dir", o.daemon.web_dir, "Serve the tablet UI from this folder (development)");
  cmd->add_flag("--no-audio", o.no_audio, "Do not open an audio device (machines without sound)");
  cmd->add_option("--mqtt", o.daemon.mqtt_broker,
                  "Publish to the MQTT broker at HOST:PORT (over the venue's mqtt host; docs/fleet.md)");
  add_clock_options(cmd, o.clock);
}

int serve(ServeOptions& o, std::shared_ptr<const zones::Venue> venue) {
  o.daemon.audio = !o.no_audio;
  o.daemon.clock = process_clock_or_exit(o.clock, venue->config().time_zone(), o.daemon.demo ? "atmo demo" : "atmo serve");
  return controller::run_daemon(std::move(venue), o.daemon);
}

}  // namespace

void add_serve_commands(CLI::App& app) {
  auto serve_opt = std::make_shared<ServeOptions>();
  serve_opt->daemon.state_dir = "/var/lib/atmo";
  auto* serve_cmd = app.add_subcommand("serve", "Run the atmo daemon for a venue");
  serve_cmd->add_option("-c,--config", serve_opt->config, "Venue YAML file")->required()->check(CLI::ExistingFile);
  serve_cmd->add_option("--listen", serve_opt->daemon.listen, "API and tablet UI address HOST:PORT (default: the venue's api.listen)");
  serve_cmd->add_option("--tls-cert", serve_opt->daemon.tls_cert, "PEM certificate: serve HTTPS");
  serve_cmd->add_option("--tls-key", serve_opt->daemon.tls_key, "PEM private key for --tls-cert");
  serve_cmd->add_option("--allowed-origin", serve_opt->daemon.allowed_origins,
                        "a browser origin besides the daemon's own that may change state, e.g. "
                        "https://tablet.spa.example (repeatable; adds to the venue's api.allowed_origins)")
      ->check([](const std::string& origin) {
        auto problem = config::web_origin_problem(origin);
        return problem ? "--allowed-origin " + origin + " " + *problem : std::string();
      });
  add_common(serve_cmd, *serve_opt);
  serve_cmd->footer(
      "The venue file is checked first (as 'atmo config check' does); a venue with errors is not started.\n"
      "Stop with Ctrl-C or SIGTERM: the current scenes, holds and compliance state are saved and come\n"
      "back on the next start.\n\n"
      "Examples:\n"
      "  atmo serve --config /etc/atmo/venue.yaml\n"
      "  atmo serve -c venue.yaml --state-dir ./state --listen 0.0.0.0:8443 --tls-cert c.pem --tls-key k.pem");
  serve_cmd->callback([serve_opt] {
    auto loaded = config::load_venue_file(serve_opt->config);
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
      std::cerr << "atmo serve: the venue has errors; nothing was started.\n";
      throw CLI::RuntimeError(kExitConfigInvalid);
    }
    throw CLI::RuntimeError(serve(*serve_opt, zones::Venue::create(std::move(*loaded.venue))));
  });

  auto demo_opt = std::make_shared<ServeOptions>();
  demo_opt->daemon.state_dir = "atmo-demo-state";
  demo_opt->daemon.history_days = 7;
  auto* demo_cmd = app.add_subcommand("demo", "Run the demo spa: daemon, simulated devices and tablet UI in one process");
  demo_cmd->add_option("-p,--port", demo_opt->port, "Port of the tablet UI on 127.0.0.1")->capture_default_str()
      ->check(CLI::Range(1, 65535));
  demo_cmd->add_option("--speed", demo_opt->daemon.sim_speed, "Simulated seconds per real second (physics only)")
      ->capture_default_str()->check(CLI::Range(0.1, 3600.0));
  demo_cmd->add_option("--history-days", demo_opt->daemon.history_days,
                       "Days of past a first start lives on a fast clock (about 12 s a day), so charts and "
                       "reports open on a real week; 0 skips it")
      ->capture_default_str()->check(CLI::Range(0, 31));
  add_common(demo_cmd, *demo_opt);
  demo_cmd->footer(
      "Runs the Aurora Spa venue compiled into atmo (config/venues/demo.yaml) against simulated Modbus\n"
      "devices, with known demo users (printed at start). Not for a real venue.\n\n"
      "Examples:\n"
      "  atmo demo                      then open http://127.0.0.1:8080\n"
      "  atmo demo --port 9000 --no-audio --state-dir /tmp/atmo-demo\n"
      "  atmo demo --rate 120           a whole weekday in 12 minutes (simulated time)\n\n"
      "A first start (no database in the state directory yet) first lives the venue's last 7 days on a\n"
      "fast clock with the same simulator and engines, about a minute and a half: see --history-days.");
  demo_cmd->callback([demo_opt, demo_cmd] {
    auto loaded = config::load_embedded_demo();
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
      throw CLI::RuntimeError(kExitConfigInvalid);
    }
    // A simulated run keeps its own default state: the demo's wall-clock history stays unmixed.
    if (demo_cmd->count("--state-dir") == 0 && (!demo_opt->clock.start.empty() || demo_opt->clock.rate != 1.0)) {
      demo_opt->daemon.state_dir = "atmo-demo-simulated-state";
    }
    demo_opt->daemon.demo = true;
    demo_opt->daemon.listen = "127.0.0.1:" + std::to_string(demo_opt->port);
    throw CLI::RuntimeError(serve(*demo_opt, zones::Venue::create(std::move(*loaded.venue))));
  });
}

}  // namespace atmo::cli
