#include "controller/fleet/mqtt_publisher.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace atmo::fleet {

namespace {

constexpr std::int64_t kMaxHoldMinutes = 7 * 24 * 60;  // as on the API
/// Refusals are audited (events, stored) at most this often per minute; the rest only counted,
/// so a flood on the command topic cannot fill the database.
constexpr std::uint64_t kAuditedRefusalsPerMinute = 20;

/// Sets venue, seq and (when unset) time_ms, the fields every Fleet* message has.
void stamp(google::protobuf::Message& m, const std::string& venue, std::uint64_t seq, TimeMs now) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  if (const auto* f = d->FindFieldByName("venue")) r->SetString(&m, f, venue);
  if (const auto* f = d->FindFieldByName("seq")) r->SetUInt64(&m, f, seq);
  if (const auto* f = d->FindFieldByName("time_ms"); f && r->GetInt64(m, f) == 0) r->SetInt64(&m, f, now);
}

}  // namespace

MqttPublisher::MqttPublisher(controller::Controller& controller, MqttConfig config)
    : controller_(controller),
      config_(std::move(config)),
      topics_(config_.topic_prefix),
      alarms_(controller),
      timer_(controller.io()) {}

MqttPublisher::~MqttPublisher() {
  *alive_ = false;
  stop(std::chrono::milliseconds(0));
}

Status MqttPublisher::start() {
  if (running_) return ok_status();
  auto options = config_.client;
  // The broker says "offline" for us if we vanish; seq 0: it is not one of our messages.
  OutboundMessage will;
  will.topic = topics_.status();
  will.retain = true;
  {
    auto offline = status_message(false);
    offline.set_seq(0);
    offline.set_time_ms(0);
    offline.set_day_part("");
    will.payload = encode_payload(offline, config_.format);
  }
  options.will = will;
  if (config_.commands) {
    options.subscriptions.push_back(topics_.command());
    verifier_.emplace(config_.venue_id, config_.command_keys, config_.command_window, config_.format);
  }
  std::weak_ptr<bool> alive = alive_;
  auto& io = controller_.io();
  MqttClient::Handlers handlers;
  handlers.connected = [this, alive, &io] {
    boost::asio::post(io, [this, alive] {
      if (auto a = alive.lock(); a && *a) on_connected();
    });
  };
  handlers.message = [this, alive, &io](std::string topic, std::string payload) {
    if (topic != topics_.command()) return;
    boost::asio::post(io, [this, alive, payload = std::move(payload)] {
      if (auto a = alive.lock(); a && *a) on_command(payload);
    });
  };
  client_ = std::make_unique<MqttClient>(std::move(options), std::move(handlers));
  if (auto started = client_->start(); !started) return started;
  subscription_ = controller_.events().subscribe([this](const controller::Event& e) {
    auto m = event_message(e);
    publish(topics_.events(), m, false);
  });
  running_ = true;
  spdlog::info("mqtt: publishing {} under {}/ to {}:{} ({}){}", config_.venue_id, topics_.prefix(), config_.client.host,
               config_.client.port, config_.format == v1::PAYLOAD_FORMAT_JSON ? "JSON" : "protobuf",
               config_.commands ? "; signed scene commands accepted on " + topics_.command() : "");
  on_tick();  // the first state goes into the buffer now, ahead of the broker
  arm_timer();
  return ok_status();
}

void MqttPublisher::stop(std::chrono::milliseconds flush) {
  if (!running_) return;
  running_ = false;
  timer_.cancel();
  if (subscription_) controller_.events().unsubscribe(*subscription_);
  subscription_.reset();
  // A clean goodbye: the broker publishes no last will then, so say "offline" ourselves.
  auto offline = status_message(false);
  publish(topics_.status(), offline, true);
  // Waiting for a broker that is away would only delay the shutdown.
  const bool connected = client_->stats().connected;
  if (!connected || flush.count() == 0 || !client_->flush(flush)) {
    const auto s = client_->stats();
    if (s.buffered_messages > 0) {
      spdlog::warn("mqtt: stopping with {} messages the broker has not taken ({})", s.buffered_messages,
                   connected ? "it is slow" : "it is away");
    }
  }
  client_->stop();
}

MqttPublisherStats MqttPublisher::stats() const {
  MqttPublisherStats s;
  if (client_) s.client = client_->stats();
  s.queued = queued_;
  s.commands_accepted = commands_accepted_;
  s.commands_refused = commands_refused_;
  return s;
}

void MqttPublisher::publish(const std::string& topic, google::protobuf::Message& message, bool retain) {
  if (!client_) return;
  stamp(message, config_.venue_id, next_seq_++, controller_.clock().now_ms());
  client_->publish(OutboundMessage{topic, encode_payload(message, config_.format), retain});
  ++queued_;
}

v1::FleetStatus MqttPublisher::status_message(bool online) const {
  v1::FleetStatus s;
  s.set_online(online);
  s.set_day_part(controller_.runner().day_part());
  s.set_fire_alarm(controller_.fire_alarm());
  s.set_dropped(client_ ? client_->stats().dropped : 0);
  s.set_version(ATMO_VERSION);
  return s;
}

void MqttPublisher::arm_timer() {
  timer_.expires_after(config_.readings_interval);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    on_tick();
    arm_timer();
  });
}

void MqttPublisher::on_tick() {
  const auto& venue = controller_.venue();
  const auto& live = controller_.live();
  for (const auto& point : venue.points()) {
    auto it = live.find(point.id);
    if (it == live.end() || point.disabled) continue;
    auto [sent, inserted] = reading_sent_.try_emplace(point.id, TimeMs{-1});
    if (it->second.time_ms <= sent->second) continue;
    sent->second = it->second.time_ms;
    auto m = reading_message(point, it->second);
    publish(topics_.reading(point), m, true);
  }
  for (const auto& zone : venue.zones()) {
    auto m = zone_state_message(controller_, zone.id());
    auto key = m.SerializeAsString();
    auto& last = zone_sent_[zone.id()];
    if (key == last) continue;
    last = std::move(key);
    publish(topics_.zone(zone.id()), m, true);
  }
  {
    auto m = alarm_list_message(alarms_.active());
    // The marker keeps "no alarms" (an empty message) apart from "never sent".
    auto key = "list:" + m.SerializeAsString();
    if (key != alarms_sent_) {
      alarms_sent_ = std::move(key);
      publish(topics_.alarms(), m, true);
    }
  }
  const auto stats = client_->stats();
  {
    auto m = status_message(stats.connected);
    auto key = m.SerializeAsString();
    if (stats.connected && key != status_sent_) {
      status_sent_ = key;
      publish(topics_.status(), m, true);
    }
  }
  // Drops are a loss of data the chain's operators must hear of, but once per 10 s is enough.
  if (stats.dropped > drops_reported_ && std::chrono::steady_clock::now() - drops_reported_at_ >= std::chrono::seconds(10)) {
    spdlog::warn("mqtt: {} messages dropped so far ({} since the last report): the buffer holds {} messages / {} bytes "
                 "and the broker is {}",
                 stats.dropped, stats.dropped - drops_reported_, stats.buffered_messages, stats.buffered_bytes,
                 stats.connected ? "slower than atmo" : "away");
    drops_reported_ = stats.dropped;
    drops_reported_at_ = std::chrono::steady_clock::now();
  }
}

void MqttPublisher::on_connected() {
  if (!running_) return;
  // A broker that restarted without persistence has lost our retained state: send it all again.
  reading_sent_.clear();
  zone_sent_.clear();
  alarms_sent_.clear();
  status_sent_.clear();
  on_tick();
}

void MqttPublisher::audit_command(const CommandVerdict& verdict, const std::string& who, const std::string& what,
                                  const std::string& error) {
  controller::Event e;
  e.kind = error.empty() ? "fleet.command.accepted" : "fleet.command.refused";
  e.who = who;
  e.zone = verdict.command.zone();
  e.subject = verdict.command.id();
  e.message = (error.empty() ? "Remote command " : "Refused remote command ") + what +
              (verdict.command.why().empty() ? "" : " (why: " + verdict.command.why() + ")") + (error.empty() ? "" : ": " + error);
  e.details_json = "{}";
  controller_.events().publish(std::move(e));
}

void MqttPublisher::on_command(const std::string& payload) {
  if (!running_ || !verifier_) return;
  const TimeMs now = controller_.clock().now_ms();
  auto verdict = verifier_->verify(payload, now);
  const auto& c = verdict.command;
  // Only a valid signature makes the key (and the person it vouches for) the one who acts; an
  // unverified sender is recorded as such, with what it claimed in the message.
  const std::string who = verdict.signature_ok ? "mqtt:" + verdict.key_id + (c.who().empty() ? "" : "/" + c.who())
                                               : std::string("mqtt:unverified");
  std::string what = !c.venue_scene().empty() ? "venue scene '" + c.venue_scene() + "'"
                     : !c.zone().empty()      ? "zone scene '" + c.zone_scene() + "' in '" + c.zone() + "'"
                                              : "(no scene)";
  if (!c.id().empty()) what = "'" + c.id() + "': " + what;
  if (!verdict.signature_ok) {
    what += " claiming key '" + verdict.key_id + "'" + (c.who().empty() ? "" : " and person '" + c.who() + "'");
  }
  std::string error;
  if (!verdict.accepted) {
    error = verdict.reason;
  } else if (c.venue_scene().empty() == (c.zone().empty() && c.zone_scene().empty())) {
    error = "name either venue_scene, or zone and zone_scene";
  } else if (!c.zone().empty() && c.zone_scene().empty()) {
    error = "zone_scene is missing";
  } else if (c.hold_minutes() > kMaxHoldMinutes) {
    error = "hold_minutes may be at most " + std::to_string(kMaxHoldMinutes) + " (a week)";
  } else if (controller_.fire_alarm()) {
    error = "the fire alarm is active: scenes cannot change until it clears";
  } else if (!c.venue_scene().empty() && !controller_.venue().venue_scene(c.venue_scene())) {
    error = "no venue scene '" + c.venue_scene() + "'";
  } else {
    controller::Hold hold;
    hold.set_at = now;
    if (c.hold_minutes() == 0) {
      hold.kind = controller::Hold::Kind::until_next_change;
    } else {
      hold.kind = controller::Hold::Kind::until_time;
      hold.until = now + static_cast<TimeMs>(c.hold_minutes()) * 60'000;
    }
    const std::string why = c.why().empty() ? "remote command over MQTT" : c.why();
    // The same path as the tablet's scene buttons: the scene engine records who and why.
    auto applied = c.venue_scene().empty() ? controller_.apply_zone_scene(c.zone(), c.zone_scene(), who, hold, why)
                                           : controller_.apply_venue_scene(c.venue_scene(), who, hold, why);
    if (!applied) error = applied.error().message;
  }
  const bool accepted = error.empty();
  accepted ? ++commands_accepted_ : ++commands_refused_;
  const auto minute = std::chrono::steady_clock::now();
  if (minute - refusal_minute_ >= std::chrono::minutes(1)) {
    refusal_minute_ = minute;
    refusals_audited_this_minute_ = 0;
  }
  if (accepted || refusals_audited_this_minute_++ < kAuditedRefusalsPerMinute) {
    audit_command(verdict, who, what, error);
  }
  if (!accepted) spdlog::warn("mqtt: refused remote command from {}: {}", who, error);
  v1::FleetCommandResult result;
  result.set_command_id(c.id());
  result.set_accepted(accepted);
  result.set_error(error);
  result.set_who(who);
  publish(topics_.command_result(), result, false);
}

}  // namespace atmo::fleet
