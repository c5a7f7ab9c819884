#include "controller/fleet/mqtt_client.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <mosquitto.h>
#include <spdlog/spdlog.h>

namespace atmo::fleet {

namespace {

constexpr int kQos = 1;

void init_library() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

std::string describe(int rc) {
  if (rc == MOSQ_ERR_ERRNO) return std::strerror(errno);
  return mosquitto_strerror(rc);
}

}  // namespace

MqttClient::MqttClient(MqttClientOptions options, Handlers handlers)
    : options_(std::move(options)),
      handlers_(std::move(handlers)),
      outbox_(options_.buffer_messages, options_.buffer_bytes) {}

MqttClient::~MqttClient() {
  stop();
  if (mosq_) mosquitto_destroy(mosq_);
}

Status MqttClient::start() {
  if (started_) return ok_status();
  init_library();
  mosq_ = mosquitto_new(options_.client_id.c_str(), true, this);
  if (!mosq_) return make_error("mqtt: cannot create a client for id '" + options_.client_id + "'");
  // Our own thread calls mosquitto_loop(); publish() comes from the controller's thread.
  mosquitto_threaded_set(mosq_, true);
  mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_max_inflight_messages_set(mosq_, static_cast<unsigned>(options_.in_flight_window));
  if (!options_.username.empty()) {
    const int rc = mosquitto_username_pw_set(mosq_, options_.username.c_str(),
                                             options_.password ? options_.password->c_str() : nullptr);
    if (rc != MOSQ_ERR_SUCCESS) return make_error("mqtt: the username is not accepted: " + describe(rc));
  }
  if (options_.tls) {
    const char* ca = options_.tls_ca_file.empty() ? nullptr : options_.tls_ca_file.c_str();
    const char* ca_dir = options_.tls_ca_file.empty() ? "/etc/ssl/certs" : nullptr;
    const char* cert = options_.tls_cert_file.empty() ? nullptr : options_.tls_cert_file.c_str();
    const char* key = options_.tls_key_file.empty() ? nullptr : options_.tls_key_file.c_str();
    const int rc = mosquitto_tls_set(mosq_, ca, ca_dir, cert, key, nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
      return make_error("mqtt: TLS settings refused (are tls ca_file, cert_file and key_file readable PEM files?): " +
                        describe(rc));
    }
  }
  if (options_.will) {
    const auto& w = *options_.will;
    const int rc = mosquitto_will_set(mosq_, w.topic.c_str(), static_cast<int>(w.payload.size()), w.payload.data(), kQos, w.retain);
    if (rc != MOSQ_ERR_SUCCESS) return make_error("mqtt: the last will is not accepted: " + describe(rc));
  }
  mosquitto_connect_callback_set(mosq_, &MqttClient::on_connect);
  mosquitto_disconnect_callback_set(mosq_, &MqttClient::on_disconnect);
  mosquitto_publish_callback_set(mosq_, &MqttClient::on_publish);
  mosquitto_message_callback_set(mosq_, &MqttClient::on_message);
  started_ = true;
  thread_ = std::thread([this] { run(); });
  return ok_status();
}

void MqttClient::publish(OutboundMessage message) {
  std::lock_guard lock(mutex_);
  outbox_.push(std::move(message));
  pump();
}

void MqttClient::pump() {
  if (!connected_ || !mosq_) return;
  while (outbox_.can_send(options_.in_flight_window)) {
    const auto& m = outbox_.front();
    int mid = 0;
    const int rc = mosquitto_publish(mosq_, &mid, m.topic.c_str(), static_cast<int>(m.payload.size()), m.payload.data(),
                                     kQos, m.retain);
    // NO_CONN: the link dropped a moment ago; libmosquitto keeps a QoS 1 message it has numbered
    // and sends it after the reconnect, so it is in flight like the others.
    if (rc == MOSQ_ERR_SUCCESS || rc == MOSQ_ERR_NO_CONN) {
      outbox_.sent(mid);
      continue;
    }
    spdlog::error("mqtt: cannot publish on {} ({} bytes): {}; the message is dropped", m.topic, m.payload.size(), describe(rc));
    outbox_.discard_front();
  }
}

bool MqttClient::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return outbox_.empty() || stopping_; }) && outbox_.empty();
}

void MqttClient::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

MqttClientStats MqttClient::stats() const {
  std::lock_guard lock(mutex_);
  MqttClientStats s;
  s.connected = connected_;
  s.connects = connects_;
  s.acknowledged = outbox_.acknowledged_total();
  s.dropped = outbox_.dropped();
  s.buffered_messages = outbox_.messages();
  s.buffered_bytes = outbox_.bytes();
  s.last_error = last_error_;
  return s;
}

void MqttClient::note_error(const std::string& error) {
  std::lock_guard lock(mutex_);
  // Said once per kind of trouble, not once per retry: a broker away for an hour is one line.
  if (error == last_error_) return;
  last_error_ = error;
  spdlog::warn("mqtt: {}; retrying with backoff, messages are buffered meanwhile", error);
}

bool MqttClient::wait_for_retry(std::chrono::seconds delay) {
  std::unique_lock lock(mutex_);
  return !changed_.wait_for(lock, delay, [this] { return stopping_; });
}

void MqttClient::run() {
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  std::chrono::seconds delay{1};
  bool first_attempt = true;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    const std::uint64_t connects_before = stats().connects;
    // The first attempt stores host, port and keepalive (and makes the wake-up socket pair that
    // publish() writes to); later ones reuse them without touching that pair under our feet.
    int rc = first_attempt ? mosquitto_connect(mosq_, options_.host.c_str(), options_.port,
                                               static_cast<int>(options_.keepalive.count()))
                           : mosquitto_reconnect(mosq_);
    first_attempt = false;
    if (rc != MOSQ_ERR_SUCCESS) {
      note_error("cannot connect to the broker at " + where + ": " + describe(rc));
    } else {
      // CONNACK, acknowledgements, incoming commands and keepalive pings all happen in here.
      // 250 ms bounds how long stop() waits; publish() wakes the loop at once.
      for (;;) {
        {
          std::lock_guard lock(mutex_);
          if (stopping_) break;
        }
        rc = mosquitto_loop(mosq_, 250, 1);
        if (rc != MOSQ_ERR_SUCCESS) break;
      }
      bool stop_now = false;
      {
        std::lock_guard lock(mutex_);
        stop_now = stopping_;
      }
      if (stop_now) {
        if (rc == MOSQ_ERR_SUCCESS) {
          // A clean DISCONNECT tells the broker not to publish the last will.
          mosquitto_disconnect(mosq_);
          for (int i = 0; i < 20 && mosquitto_loop(mosq_, 50, 1) == MOSQ_ERR_SUCCESS; ++i) {
          }
        }
        break;
      }
      // A refusal (bad credentials) was said in on_connect and is the more useful message.
      const bool had_session = stats().connects > connects_before;
      if (had_session || stats().last_error.empty()) {
        note_error("lost the connection to the broker at " + where + ": " + describe(rc));
      }
    }
    if (stats().connects > connects_before) delay = std::chrono::seconds(1);  // it worked for a while
    if (!wait_for_retry(delay)) break;
    delay = std::min(delay * 2, std::max(options_.reconnect_max, std::chrono::seconds(1)));
  }
  std::lock_guard lock(mutex_);
  connected_ = false;
}

void MqttClient::on_connect(mosquitto* mosq, void* self_ptr, int rc) {
  auto* self = static_cast<MqttClient*>(self_ptr);
  if (rc != 0) {
    self->note_error("the broker refused the connection: " + std::string(mosquitto_connack_string(rc)));
    return;
  }
  for (const auto& topic : self->options_.subscriptions) {
    if (const int s = mosquitto_subscribe(mosq, nullptr, topic.c_str(), kQos); s != MOSQ_ERR_SUCCESS) {
      spdlog::error("mqtt: cannot subscribe to {}: {}", topic, describe(s));
    }
  }
  {
    std::lock_guard lock(self->mutex_);
    self->connected_ = true;
    ++self->connects_;
    if (!self->last_error_.empty()) {
      spdlog::info("mqtt: connected to {}:{} again; {} buffered messages follow", self->options_.host, self->options_.port,
                   self->outbox_.messages());
    } else {
      spdlog::info("mqtt: connected to {}:{} as {}", self->options_.host, self->options_.port, self->options_.client_id);
    }
    self->last_error_.clear();
    self->pump();
  }
  if (self->handlers_.connected) self->handlers_.connected();
}

void MqttClient::on_disconnect(mosquitto*, void* self_ptr, int) {
  auto* self = static_cast<MqttClient*>(self_ptr);
  std::lock_guard lock(self->mutex_);
  self->connected_ = false;
}

void MqttClient::on_publish(mosquitto*, void* self_ptr, int mid) {
  auto* self = static_cast<MqttClient*>(self_ptr);
  {
    std::lock_guard lock(self->mutex_);
    self->outbox_.acknowledged(mid);
    self->pump();
  }
  self->changed_.notify_all();
}

void MqttClient::on_message(mosquitto*, void* self_ptr, const mosquitto_message* message) {
  auto* self = static_cast<MqttClient*>(self_ptr);
  if (!self->handlers_.message || !message || !message->topic) return;
  std::string payload;
  if (message->payload && message->payloadlen > 0) {
    payload.assign(static_cast<const char*>(message->payload), static_cast<std::size_t>(message->payloadlen));
  }
  self->handlers_.message(message->topic, std::move(payload));
}

}  // namespace atmo::fleet
