#include "controller/event_bus.hpp"

namespace atmo::controller {

EventBus::EventBus(const Clock& clock, std::size_t recent_capacity)
    : clock_(clock), recent_capacity_(recent_capacity) {}

void EventBus::publish(Event event) {
  if (event.time_ms == 0) event.time_ms = clock_.now_ms();
  // A record of a run on a pinned or scaled clock says so, wherever it ends up (store, API, MQTT).
  if (clock_.simulated() && event.details_json.size() >= 2 && event.details_json.front() == '{') {
    event.details_json.insert(1, event.details_json == "{}" ? "\"simulated_time\":true" : "\"simulated_time\":true,");
  }
  event.id = next_id_++;
  recent_.push_back(event);
  while (recent_.size() > recent_capacity_) recent_.pop_front();
  // Copy the handlers first: a subscriber may unsubscribe (or subscribe) while being called.
  std::vector<Subscriber> handlers;
  handlers.reserve(subscribers_.size());
  for (const auto& [id, s] : subscribers_) handlers.push_back(s);
  for (const auto& h : handlers) h(event);
}

EventBus::SubscriptionId EventBus::subscribe(Subscriber subscriber) {
  const SubscriptionId id = next_subscription_++;
  subscribers_.emplace(id, std::move(subscriber));
  return id;
}

void EventBus::unsubscribe(SubscriptionId id) { subscribers_.erase(id); }

std::vector<Event> EventBus::recent(std::size_t limit) const {
  const std::size_t n = std::min(limit, recent_.size());
  return {recent_.end() - static_cast<std::ptrdiff_t>(n), recent_.end()};
}

}  // namespace atmo::controller
