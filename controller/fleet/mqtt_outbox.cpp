#include "controller/fleet/mqtt_outbox.hpp"

#include <algorithm>

namespace atmo::fleet {

MqttOutbox::MqttOutbox(std::size_t max_messages, std::size_t max_bytes)
    : max_messages_(std::max<std::size_t>(1, max_messages)), max_bytes_(std::max<std::size_t>(1, max_bytes)) {}

std::size_t MqttOutbox::push(OutboundMessage message) {
  const std::size_t size = message.bytes();
  if (size > max_bytes_) {
    ++dropped_;
    return 1;
  }
  std::size_t dropped = 0;
  // Unacknowledged messages are the broker's business now; only waiting ones can make room.
  while (!waiting_.empty() && (messages() + 1 > max_messages_ || bytes_ + size > max_bytes_)) {
    bytes_ -= waiting_.front().bytes();
    waiting_.pop_front();
    ++dropped;
  }
  if (messages() + 1 > max_messages_ || bytes_ + size > max_bytes_) {
    ++dropped;  // everything left is in flight: the new message has no room
  } else {
    bytes_ += size;
    waiting_.push_back(std::move(message));
  }
  dropped_ += dropped;
  return dropped;
}

void MqttOutbox::sent(int mid) {
  const std::size_t size = waiting_.front().bytes();
  waiting_.pop_front();
  auto [it, inserted] = in_flight_.emplace(mid, size);
  if (!inserted) {
    // The client library reuses a packet id only once it is free; a clash means the old one was
    // forgotten without an ack (a session reset): count its bytes out before replacing it.
    bytes_ -= it->second;
    it->second = size;
  }
}

void MqttOutbox::discard_front() {
  bytes_ -= waiting_.front().bytes();
  waiting_.pop_front();
  ++dropped_;
}

bool MqttOutbox::acknowledged(int mid) {
  auto it = in_flight_.find(mid);
  if (it == in_flight_.end()) return false;
  bytes_ -= it->second;
  in_flight_.erase(it);
  ++acknowledged_;
  return true;
}

}  // namespace atmo::fleet
