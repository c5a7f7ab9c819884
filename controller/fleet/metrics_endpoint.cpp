#include "controller/fleet/metrics_endpoint.hpp"

#include <spdlog/spdlog.h>

namespace atmo::fleet {

MetricsEndpoint::MetricsEndpoint(controller::Controller& controller, MetricsAccess access,
                                 const controller::AudioOutput* audio)
    : controller_(controller), access_(std::move(access)), audio_(audio), alarms_(controller) {
  subscription_ = controller_.events().subscribe([this](const controller::Event& e) { events_.count(e); });
}

MetricsEndpoint::~MetricsEndpoint() { controller_.events().unsubscribe(subscription_); }

api::MetricsReply MetricsEndpoint::serve(const api::MetricsScrape& scrape) {
  const auto verdict = check_metrics_access(access_, scrape.remote, scrape.authorization);
  if (verdict.status != 200) {
    spdlog::info("metrics: refused a scrape from {}: {}", scrape.remote, verdict.message);
    return api::MetricsReply{verdict.status, "text/plain; charset=utf-8", verdict.message + "\n"};
  }
  VenueMetricsInputs in;
  in.controller = &controller_;
  in.alarms = alarms_.active();
  if (audio_) in.audio = audio_->status();
  in.api_requests = scrape.requests;
  in.events = &events_;
  if (mqtt_) in.mqtt = mqtt_->stats();
  return api::MetricsReply{200, std::string(kMetricsContentType), render_metrics(collect_venue_metrics(in))};
}

}  // namespace atmo::fleet
