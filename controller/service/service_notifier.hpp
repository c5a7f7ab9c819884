// Tells the service manager (systemd's sd_notify protocol) how the daemon is doing: READY=1 once it
// serves, WATCHDOG=1 while its logic thread is alive, STATUS= for `systemctl status`. A datagram to
// $NOTIFY_SOCKET, written here so that atmo needs no libsystemd; outside systemd it does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "zones/result.hpp"

namespace atmo::controller::service {

class ServiceNotifier {
 public:
  /// Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID; an absent socket makes an inactive notifier.
  static ServiceNotifier from_environment();
  /// A notifier for `socket_path` ("/run/..." or "@abstract"); for tests and from_environment().
  explicit ServiceNotifier(std::string socket_path = {}, std::optional<std::chrono::microseconds> watchdog = {});

  bool active() const { return !socket_path_.empty(); }
  /// How often the manager expects WATCHDOG=1 at the latest; none when it asked for no watchdog
  /// (or asked another process: WATCHDOG_PID not ours).
  std::optional<std::chrono::microseconds> watchdog_timeout() const { return watchdog_; }

  /// Sends one message ("READY=1\nSTATUS=..."). Inactive: does nothing. Errors: the socket refused.
  Status send(std::string_view message) const;

 private:
  std::string socket_path_;
  std::optional<std::chrono::microseconds> watchdog_;
};

/// A STATUS= value fit for one line: newlines (which would start a new assignment) become spaces.
std::string status_line(std::string_view text);

}  // namespace atmo::controller::service
