#include "controller/service/service_heartbeat.hpp"

#include <spdlog/spdlog.h>

namespace atmo::controller::service {
namespace {

constexpr std::chrono::microseconds kStatusRefresh = std::chrono::seconds(10);

}  // namespace

ServiceHeartbeat::ServiceHeartbeat(boost::asio::io_context& io, const ServiceNotifier& notifier,
                                   std::function<std::string()> status)
    : notifier_(notifier),
      status_(std::move(status)),
      timer_(io),
      period_(notifier.watchdog_timeout() ? std::max(std::chrono::microseconds(1000), *notifier.watchdog_timeout() / 2)
                                          : kStatusRefresh) {}

void ServiceHeartbeat::start() {
  if (!notifier_.active() || running_) return;
  running_ = true;
  if (auto sent = notifier_.send("READY=1\nSTATUS=" + status_line(status_())); !sent) {
    spdlog::warn("{}", sent.error().message);
  }
  if (notifier_.watchdog_timeout()) {
    spdlog::info("service watchdog: a ping every {} ms", period_.count() / 1000);
  }
  arm();
}

void ServiceHeartbeat::stop() {
  if (!running_) return;
  running_ = false;
  timer_.cancel();
  (void)notifier_.send("STOPPING=1\nSTATUS=stopping");
}

void ServiceHeartbeat::arm() {
  timer_.expires_after(period_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    beat();
    arm();
  });
}

void ServiceHeartbeat::beat() {
  std::string message = notifier_.watchdog_timeout() ? "WATCHDOG=1\n" : "";
  message += "STATUS=" + status_line(status_());
  auto sent = notifier_.send(message);
  if (sent) {
    last_error_.clear();
  } else if (sent.error().message != last_error_) {
    last_error_ = sent.error().message;
    spdlog::warn("{}", last_error_);
  }
}

}  // namespace atmo::controller::service
