// A client for the simulator's control port: what `atmo sim ctl` and the tests use to send one
// command line and read its one reply line.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

#include "zones/result.hpp"

namespace atmo::sim {

inline constexpr std::string_view kDefaultControlEndpoint = "127.0.0.1:15010";

struct Endpoint {
  std::string host;
  int port = 0;
};

/// "HOST:PORT" (IPv4 or "localhost"). Errors: missing colon, bad port.
Result<Endpoint> parse_endpoint(std::string_view text);

/// Connects, sends `command` and a newline, returns the reply line without its newline.
/// Errors: cannot connect (is `atmo sim` running?), no reply within `timeout`.
Result<std::string> send_control_command(const Endpoint& endpoint, std::string_view command,
                                         std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace atmo::sim
