// The controller's event bus: every change a person may want to know about (scene applied, alarm
// raised or cleared, device offline, checklist confirmed, …) is published once here and fanned out
// to the telemetry store, a ring of recent events for the API, and live subscribers (WebSocket,
// MQTT). Runs on the controller thread only: no locks.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "controller/telemetry/telemetry_types.hpp"
#include "zones/clock.hpp"

namespace atmo::controller {

using Event = telemetry::Event;

class EventBus {
 public:
  using Subscriber = std::function<void(const Event&)>;
  using SubscriptionId = std::uint64_t;

  explicit EventBus(const Clock& clock, std::size_t recent_capacity = 1000);

  /// Stamps the event (time if unset, a bus-local id) and hands it to every subscriber in order.
  void publish(Event event);

  SubscriptionId subscribe(Subscriber subscriber);
  void unsubscribe(SubscriptionId id);

  /// The most recent events, oldest first, at most `limit`.
  std::vector<Event> recent(std::size_t limit = 100) const;

 private:
  const Clock& clock_;
  std::size_t recent_capacity_;
  std::deque<Event> recent_;
  std::map<SubscriptionId, Subscriber> subscribers_;
  SubscriptionId next_subscription_ = 1;
  std::int64_t next_id_ = 1;
};

}  // namespace atmo::controller
