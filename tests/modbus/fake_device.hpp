// A fake Modbus device for the integration tests, in the style of libmodbus's unit-test-server: a
// libmodbus TCP server (any number of clients, several unit ids) or an RTU server on a serial line,
// with faults injected at run time (per unit) or by magic addresses: no reply (a hung device), an
// exception, a malformed frame, a closed connection. It can be stopped and restarted on its port.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "config/atmo.pb.h"

struct _modbus;
struct _modbus_mapping_t;

namespace atmo::modbus::test {

enum class Fault {
  none,
  hang,       ///< never reply: the client times out
  exception,  ///< reply "Illegal data address"
  garbage,    ///< reply with a frame whose length is wrong (TCP) or whose CRC is wrong (RTU)
  close,      ///< close the connection instead of replying (TCP)
};

/// Reading or writing these addresses (any table) triggers the fault, whatever the unit's setting.
inline constexpr unsigned kMagicHang = 9000;
inline constexpr unsigned kMagicException = 9001;
inline constexpr unsigned kMagicGarbage = 9002;
inline constexpr unsigned kMagicClose = 9003;

class FakeDevice {
 public:
  /// A TCP server on 127.0.0.1; port 0 lets the kernel pick a free one (see port()).
  static std::unique_ptr<FakeDevice> tcp(std::set<unsigned> units, int port = 0);
  /// An RTU server for one unit on a serial line (e.g. one end of a socat pty pair).
  static std::unique_ptr<FakeDevice> rtu(const std::string& device, unsigned unit, int baud = 19200);
  ~FakeDevice();

  /// Throws std::runtime_error when the port or line cannot be opened.
  void start();
  /// Closes the listening socket and every connection, like a device that was switched off.
  void stop();
  int port() const { return port_; }

  void set_fault(unsigned unit, Fault fault);
  void set_register(unsigned unit, v1::RegisterTable table, unsigned address, std::uint16_t value);
  std::uint16_t get_register(unsigned unit, v1::RegisterTable table, unsigned address) const;
  std::uint64_t requests(unsigned unit) const;

 private:
  FakeDevice(bool rtu, std::set<unsigned> units, int port, std::string device, int baud);
  void run();
  void handle(int fd, const std::uint8_t* query, int length);
  void send_garbage(int fd, const std::uint8_t* query);

  bool rtu_;
  int port_;
  std::string device_;
  int baud_;
  _modbus* ctx_ = nullptr;
  int listen_fd_ = -1;
  std::atomic<bool> running_{false};
  std::thread thread_;

  mutable std::mutex mutex_;  ///< protects maps_, faults_ and requests_ (the test thread changes them)
  std::map<unsigned, _modbus_mapping_t*> maps_;
  std::map<unsigned, Fault> faults_;
  std::map<unsigned, std::uint64_t> requests_;
};

}  // namespace atmo::modbus::test
