// The bounded buffer between atmo and the broker: messages wait here while the broker is away and
// leave in order as it acknowledges (QoS 1). The bound counts waiting and unacknowledged messages
// together, in messages and in bytes; when a new message would exceed it, the OLDEST waiting
// messages are dropped (and counted): after a long outage the newest state matters most, and the
// retained topics are re-sent in full on reconnect anyway. Not thread-safe: MqttClient locks it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>

namespace atmo::fleet {

struct OutboundMessage {
  std::string topic;
  std::string payload;
  bool retain = false;

  std::size_t bytes() const { return topic.size() + payload.size(); }
};

class MqttOutbox {
 public:
  MqttOutbox(std::size_t max_messages, std::size_t max_bytes);

  /// Queues `message` at the back, dropping the oldest waiting messages while the bound would be
  /// exceeded. A message larger than the whole byte bound is itself dropped.
  /// Returns how many messages were dropped by this call.
  std::size_t push(OutboundMessage message);

  /// Whether a waiting message may be handed to the broker now: there is one, and fewer than
  /// `window` are unacknowledged.
  bool can_send(std::size_t window) const { return !waiting_.empty() && in_flight_.size() < window; }
  const OutboundMessage& front() const { return waiting_.front(); }
  /// The front message was handed to the broker as packet `mid`; it now waits for the ack.
  void sent(int mid);
  /// The front message cannot be sent at all (refused by the client library): counted as dropped.
  void discard_front();
  /// The broker acknowledged packet `mid`. Returns false for a packet this outbox does not know.
  bool acknowledged(int mid);

  std::size_t waiting() const { return waiting_.size(); }
  std::size_t in_flight() const { return in_flight_.size(); }
  std::size_t messages() const { return waiting_.size() + in_flight_.size(); }
  std::size_t bytes() const { return bytes_; }
  std::uint64_t dropped() const { return dropped_; }
  std::uint64_t acknowledged_total() const { return acknowledged_; }
  bool empty() const { return messages() == 0; }

 private:
  std::size_t max_messages_;
  std::size_t max_bytes_;
  std::deque<OutboundMessage> waiting_;
  std::map<int, std::size_t> in_flight_;  ///< packet id -> bytes
  std::size_t bytes_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t acknowledged_ = 0;
};

}  // namespace atmo::fleet
