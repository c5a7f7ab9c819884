// A libmosquitto client with its own network thread, so nothing the controller's io_context thread
// does waits on the network: publish() only queues (MqttOutbox) and wakes the thread. Everything is
// published with QoS 1 and leaves the outbox only when the broker acknowledges it; messages the
// client library had sent but not seen acknowledged are re-sent after a reconnect. The thread runs
// mosquitto_loop() in our own reconnect loop rather than mosquitto_loop_start(): libmosquitto's
// loop_forever() gives up for good after a TLS or protocol error, and a venue controller must keep
// trying (with backoff, 1 s doubling to reconnect_max) until the broker is back or it is stopped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "controller/fleet/mqtt_outbox.hpp"
#include "zones/result.hpp"

struct mosquitto;
struct mosquitto_message;

namespace atmo::fleet {

struct MqttClientOptions {
  std::string host;
  int port = 1883;
  std::string client_id;
  std::chrono::seconds keepalive{30};
  std::string username;                ///< empty: anonymous
  std::optional<std::string> password;
  bool tls = false;
  std::string tls_ca_file;             ///< empty with tls: the system's CA folder
  std::string tls_cert_file, tls_key_file;
  std::optional<OutboundMessage> will;  ///< published by the broker if we vanish (QoS 1)
  std::size_t buffer_messages = 100'000;
  std::size_t buffer_bytes = 16u << 20;
  std::chrono::seconds reconnect_max{30};
  std::size_t in_flight_window = 20;   ///< unacknowledged messages at once
  std::vector<std::string> subscriptions;  ///< QoS 1, subscribed again on every connect
};

struct MqttClientStats {
  bool connected = false;
  std::uint64_t connects = 0;          ///< successful CONNACKs
  std::uint64_t acknowledged = 0;      ///< messages the broker acknowledged
  std::uint64_t dropped = 0;           ///< dropped because the buffer bound was exceeded (or refused by the library)
  std::size_t buffered_messages = 0;   ///< waiting or unacknowledged
  std::size_t buffered_bytes = 0;
  std::string last_error;              ///< why the last connection attempt failed or ended; "" while fine
};

class MqttClient {
 public:
  struct Handlers {
    /// After each successful connect (CONNACK accepted). On the network thread: post, don't work.
    std::function<void()> connected;
    /// A message on a subscribed topic. On the network thread: post, don't work.
    std::function<void(std::string topic, std::string payload)> message;
  };

  MqttClient(MqttClientOptions options, Handlers handlers);
  ~MqttClient();
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  /// Sets the client up (credentials, TLS files, last will) and starts the network thread, which
  /// connects in the background; a broker that is away is not an error. Errors: libmosquitto
  /// refuses a setting (an unreadable TLS file, a bad client id).
  Status start();
  /// Queues a message (any thread; never waits for the network). The oldest waiting messages
  /// give way when the buffer bound is exceeded; stats().dropped counts them.
  void publish(OutboundMessage message);
  /// Waits until every queued message is acknowledged, at most `timeout`. Returns whether it was.
  bool flush(std::chrono::milliseconds timeout);
  /// Disconnects cleanly (the broker then does not publish the last will) and joins the thread.
  /// Idempotent.
  void stop();

  MqttClientStats stats() const;

 private:
  static void on_connect(mosquitto*, void* self, int rc);
  static void on_disconnect(mosquitto*, void* self, int rc);
  static void on_publish(mosquitto*, void* self, int mid);
  static void on_message(mosquitto*, void* self, const mosquitto_message* message);

  void run();
  void pump();  ///< hands waiting messages to libmosquitto; mutex_ held
  void note_error(const std::string& error);
  bool wait_for_retry(std::chrono::seconds delay);

  MqttClientOptions options_;
  Handlers handlers_;
  mosquitto* mosq_ = nullptr;
  std::thread thread_;

  mutable std::mutex mutex_;        ///< protects everything below
  std::condition_variable changed_;  ///< stop requests, acknowledgements
  MqttOutbox outbox_;
  bool connected_ = false;
  bool stopping_ = false;
  bool started_ = false;
  std::uint64_t connects_ = 0;
  std::string last_error_;
};

}  // namespace atmo::fleet
