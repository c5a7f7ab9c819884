// Who may read /metrics. The readings and alarm states of a venue say when guests are there (noise,
// CO2, occupied treatment rooms) and list its devices, while the API port is usually reachable
// from the venue's LAN for the tablets. So: with a bearer token configured (metrics.bearer_token_*)
// every scraper must present it; without one, only clients on this machine (loopback) are
// answered. A user session cannot be used: it expires when idle, which a scraper cannot follow.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "config/atmo.pb.h"
#include "zones/result.hpp"

namespace atmo::fleet {

struct MetricsAccess {
  bool enabled = true;
  std::optional<std::string> bearer_token;  ///< unset: loopback clients only
};

/// Reads the token from its file or environment variable. `getenv` is injectable for tests.
/// Errors: the file cannot be read, the variable is unset, or the token is shorter than 16 characters.
Result<MetricsAccess> load_metrics_access(const v1::MetricsSettings& settings,
                                          const std::function<const char*(const char*)>& getenv = {});

/// 127.0.0.0/8, ::1 and their IPv4-mapped IPv6 forms.
bool is_loopback_address(std::string_view address);

struct AccessVerdict {
  int status = 200;     ///< 200, 401 (token missing or wrong), 403 (not loopback), 404 (disabled)
  std::string message;  ///< why not, for the person running the scraper
};

/// `remote`: the client's address; `authorization`: its Authorization header.
AccessVerdict check_metrics_access(const MetricsAccess& access, std::string_view remote, std::string_view authorization);

}  // namespace atmo::fleet
