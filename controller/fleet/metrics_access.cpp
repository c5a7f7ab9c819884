#include "controller/fleet/metrics_access.hpp"

#include <boost/asio/ip/address.hpp>

#include "controller/fleet/secret_source.hpp"

namespace atmo::fleet {

Result<MetricsAccess> load_metrics_access(const v1::MetricsSettings& settings,
                                          const std::function<const char*(const char*)>& getenv) {
  MetricsAccess access;
  access.enabled = !settings.has_enabled() || settings.enabled();
  if (settings.bearer_token_file().empty() && settings.bearer_token_env().empty()) return access;
  // 16 characters: a token short enough to guess over the network is no protection.
  auto token = read_secret("the metrics bearer token", settings.bearer_token_file(), settings.bearer_token_env(), getenv, 16);
  if (!token) return token.error();
  access.bearer_token = std::move(token).value();
  return access;
}

bool is_loopback_address(std::string_view address) {
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(std::string(address), ec);
  if (ec) return false;
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, addr.to_v6());
  }
  return addr.is_loopback();
}

AccessVerdict check_metrics_access(const MetricsAccess& access, std::string_view remote, std::string_view authorization) {
  if (!access.enabled) return {404, "metrics are disabled in this venue's settings (metrics.enabled)"};
  if (access.bearer_token) {
    constexpr std::string_view kBearer = "Bearer ";
    if (!authorization.starts_with(kBearer)) {
      return {401, "send the scrape token as 'Authorization: Bearer <token>' (metrics.bearer_token_file)"};
    }
    if (!same_secret(authorization.substr(kBearer.size()), *access.bearer_token)) {
      return {401, "the bearer token is not the one in metrics.bearer_token_file / bearer_token_env"};
    }
    return {};
  }
  if (!is_loopback_address(remote)) {
    return {403, "without metrics.bearer_token_file only clients on this machine may read /metrics; "
                 "configure a token to scrape over the network"};
  }
  return {};
}

}  // namespace atmo::fleet
