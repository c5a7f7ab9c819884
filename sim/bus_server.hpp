// One simulated Modbus TCP endpoint: a listening port per venue bus, answering for every device
// on that bus by unit id with libmodbus, with the devices' injected faults applied. A unit that is
// not on the bus gets no answer at all, as a real gateway lets the client time out.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sim/device_image.hpp"
#include "zones/result.hpp"

namespace atmo::sim {

struct BusCounters {
  std::uint64_t connections = 0;     ///< clients accepted so far
  std::uint64_t unknown_unit = 0;    ///< requests for a unit no device on this bus has (left unanswered)
  std::uint64_t bad_frames = 0;      ///< connections closed because a frame could not be read
};

/// Owns one thread and one libmodbus server context; its methods may be called from any thread.
class BusServer {
 public:
  /// `port` 0 binds an ephemeral port (tests); port() tells which.
  BusServer(std::string bus_id, std::string host, int port, std::vector<DeviceImage*> devices);
  ~BusServer();
  BusServer(const BusServer&) = delete;
  BusServer& operator=(const BusServer&) = delete;

  /// Binds and starts serving. Errors: the address cannot be bound (in use, not local).
  Result<int> start();
  /// Closes every connection and the listener; joins the thread. Idempotent.
  void stop();

  /// Down: the listener and every connection close, as if the gateway lost power; up: it listens on
  /// the same port again. Returns at once; the serving thread does the work.
  void set_up(bool up);
  bool up() const { return up_.load(); }

  const std::string& id() const { return id_; }
  int port() const { return port_.load(); }
  BusCounters counters() const;

 private:
  struct Connection {
    int fd = -1;
    std::uint64_t serial = 0;  // so a delayed reply never reaches a later connection reusing the fd
  };
  struct Delayed {
    std::int64_t due_ms = 0;  // steady clock
    std::uint64_t serial = 0;
    std::vector<std::uint8_t> request;
    DeviceImage* device = nullptr;
  };

  void run();
  bool listen();
  void close_all();
  void close_connection(std::size_t index);
  void handle(std::size_t index, const std::uint8_t* req, int length);
  void send_due_replies();
  void wake();

  const std::string id_;
  const std::string host_;
  std::atomic<int> port_;
  std::map<unsigned, DeviceImage*> by_unit_;

  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> up_{true};
  int wake_pipe_[2] = {-1, -1};

  // Serving-thread state: touched only by run() after start(), so it needs no lock.
  modbus_t* ctx_ = nullptr;
  int listen_fd_ = -1;
  bool listening_ = false;
  std::vector<Connection> connections_;
  std::vector<Delayed> delayed_;
  std::uint64_t next_serial_ = 1;

  mutable std::mutex counters_mutex_;  ///< protects counters_
  BusCounters counters_;
};

}  // namespace atmo::sim
