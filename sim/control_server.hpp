// The simulator's control port: a line-based TCP text protocol (see control_protocol.hpp) so tests,
// scripts and `atmo sim ctl` can steer a running simulator from outside the process.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "sim/simulator.hpp"
#include "zones/result.hpp"

namespace atmo::sim {

/// One thread serving any number of clients; commands run on that thread and call the Simulator's
/// thread-safe API.
class ControlServer {
 public:
  explicit ControlServer(Simulator& sim) : sim_(sim) {}
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  /// Listens on host:port (IPv4; port 0 picks a free port) and starts serving. Returns the port.
  /// Errors: the address cannot be bound.
  Result<int> start(const std::string& host, int port);
  /// Closes the listener and every client; joins the thread. Idempotent.
  void stop();
  int port() const { return port_.load(); }

 private:
  void run();

  Simulator& sim_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> port_{0};
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
};

}  // namespace atmo::sim
