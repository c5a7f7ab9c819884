// What the fleet integration tests run: a real mosquitto broker on a free loopback port in a temp
// dir, venues derived from config/venues/demo.yaml (own id, own simulator ports), each as an
// `atmo sim` and an `atmo serve` process, a libmosquitto subscriber, and a plain HTTP GET. Every
// child process is killed by its pid when its owner goes away.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tests/free_port.hpp"

struct mosquitto;
struct mosquitto_message;

namespace atmo::fleet::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using ::atmo::test::free_port;

class TempDir {
 public:
  explicit TempDir(const std::string& name);
  ~TempDir();
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// A child process with stdout and stderr in `log`.
class Process {
 public:
  Process(std::vector<std::string> argv, fs::path log);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void signal(int sig);
  /// The exit status (or 128 + signal) once it has ended, nothing if still running after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  fs::path log_;
};

/// Waits until something accepts TCP connections on 127.0.0.1:port.
bool wait_for_port(int port, std::chrono::milliseconds timeout);

class Broker {
 public:
  /// `extra`: more mosquitto.conf lines for the listener (TLS files, password_file, …).
  Broker(fs::path dir, int port, const std::string& extra = {});
  /// Starts mosquitto with persistence in `dir` (so queued messages of a persistent session
  /// survive a restart) and waits until it accepts connections.
  void start();
  /// SIGTERM (mosquitto saves its database) and wait.
  void stop();
  int port() const { return port_; }
  std::string log() const;

 private:
  fs::path dir_;
  int port_;
  std::unique_ptr<Process> process_;
};

/// config/venues/demo.yaml as venue `id`: its buses on free ports, its profiles found from
/// anywhere, `extra` (YAML) appended. Returns the file.
fs::path write_demo_venue(const fs::path& dir, const std::string& id, const std::string& extra);

/// `atmo sim` and `atmo serve` for one venue file, API on a free port.
class VenueDaemon {
 public:
  VenueDaemon(const fs::path& dir, const fs::path& venue_file);
  /// The API port, once the daemon says it is running. Throws after `timeout`.
  int api_port(std::chrono::milliseconds timeout = 60s);
  Process& daemon() { return *daemon_; }
  Process& sim() { return *sim_; }

 private:
  std::unique_ptr<Process> sim_;
  std::unique_ptr<Process> daemon_;
  std::optional<int> port_;
};

struct Received {
  std::string topic;
  std::string payload;
  bool retain = false;
  std::chrono::steady_clock::time_point at;
};

/// A persistent-session (clean session off) QoS 1 subscriber, so messages published while it is
/// away (the broker restarting) wait for it on the broker.
struct SubscriberAuth {
  std::string ca_file;  ///< TLS with this CA when set
  std::string username, password;
};

class Subscriber {
 public:
  Subscriber(int port, const std::string& client_id, const std::string& filter, const SubscriberAuth& auth = {});
  ~Subscriber();
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  std::vector<Received> messages() const;
  /// Polls `done` over the messages so far until it holds or `timeout` passes.
  bool wait_for(const std::function<bool(const std::vector<Received>&)>& done, std::chrono::milliseconds timeout) const;
  void publish(const std::string& topic, const std::string& payload);
  bool connected() const;

 private:
  static void on_connect(mosquitto*, void* self, int rc);
  static void on_disconnect(mosquitto*, void* self, int rc);
  static void on_message(mosquitto*, void* self, const mosquitto_message* message);

  std::string filter_;
  mosquitto* mosq_ = nullptr;
  mutable std::mutex mutex_;
  std::vector<Received> messages_;
  bool connected_ = false;
};

struct HttpResponse {
  int status = 0;
  std::string headers;  ///< raw, lower-cased names
  std::string body;
};
/// One request on its own connection ("Connection: close").
HttpResponse http_request(int port, const std::string& method, const std::string& target,
                          const std::string& authorization = {});

}  // namespace atmo::fleet::test
