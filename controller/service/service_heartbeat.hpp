// The daemon's pulse to the service manager: WATCHDOG=1 and a fresh STATUS= line, sent from a timer
// on the controller's own io_context thread at half the watchdog timeout. A logic thread that is
// stuck cannot run the timer, so the pings stop and systemd restarts the daemon.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "controller/service/service_notifier.hpp"

namespace atmo::controller::service {

class ServiceHeartbeat {
 public:
  /// `status` is called on the io thread for each beat: the one-line venue summary.
  ServiceHeartbeat(boost::asio::io_context& io, const ServiceNotifier& notifier, std::function<std::string()> status);

  /// Sends READY=1 with the first status and starts beating. Inactive notifier: does nothing.
  void start();
  /// Tells the manager the daemon is stopping and stops beating. Idempotent.
  void stop();

  /// Time between beats: half the watchdog timeout, or (no watchdog) how often STATUS= is refreshed.
  std::chrono::microseconds period() const { return period_; }

 private:
  void arm();
  void beat();

  const ServiceNotifier& notifier_;
  std::function<std::string()> status_;
  boost::asio::steady_timer timer_;
  std::chrono::microseconds period_;
  std::string last_error_;  ///< logged once per different failure, not once per beat
  bool running_ = false;
};

}  // namespace atmo::controller::service
