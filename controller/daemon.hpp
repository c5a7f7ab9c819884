// Runs the daemon: the controller, the audio output and the API on one io_context thread until
// SIGINT/SIGTERM, and (for `atmo demo`) the venue simulator beside it in the same process.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "zones/clock.hpp"
#include "zones/venue.hpp"

namespace atmo::controller {

struct DaemonOptions {
  std::filesystem::path state_dir = ".";  ///< database, users, audit log
  std::string listen;                     ///< HOST:PORT of the API; empty = the venue's api.listen or 127.0.0.1:8080
  std::string tls_cert, tls_key;
  std::vector<std::string> allowed_origins;  ///< besides the venue's api.allowed_origins
  std::string web_dir;                    ///< serve the tablet UI from here instead of the built-in copy
  bool audio = true;                      ///< false: no PortAudio at all (CI machines, tests)
  bool demo = false;                      ///< run the simulator in-process and seed the demo users
  std::string mqtt_broker;                ///< HOST:PORT: publish to this MQTT broker (over the venue's mqtt host)
  double sim_speed = 1.0;
  /// The demo only: days of past the first start lives on a fast clock (controller/demo_history.hpp).
  int history_days = 0;
  std::shared_ptr<const Clock> clock;     ///< the venue clock (--clock/--rate); null: the system clock
};

/// Runs until a stop signal. Returns the process exit code.
int run_daemon(std::shared_ptr<const zones::Venue> venue, const DaemonOptions& options);

}  // namespace atmo::controller
