// One libmodbus context (TCP endpoint or RTU serial line) with atmo's rules applied: libmodbus's
// own error recovery off, short bounded timeouts, errors classified into what they mean for a device
// (exception, garbage, no answer, lost link), and a guard against file descriptors libmodbus cannot
// handle. atmo frames requests itself and matches each reply to its request by unit, function and
// size, and over TCP by transaction (tcp_frame.hpp): libmodbus 3.1.6 would take another unit's TCP
// reply as good and does not compare an RTU write's echo. On an RTU line, which has no transaction
// ids, stale input is drained before every request and a late reply is waited out after a timeout,
// so it is never taken for the answer to the next request.
// Not thread-safe, like libmodbus itself: only its bus worker calls it, except shutdown_now().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "config/atmo.pb.h"
#include "drivers/modbus/tcp_frame.hpp"
#include "zones/result.hpp"

struct _modbus;  // libmodbus's modbus_t, kept out of this header

namespace atmo::modbus {

/// Debian's libmodbus 3.1.6 waits with select(), whose fd_set overflows (memory corruption) for a
/// descriptor >= FD_SETSIZE (1024). A process with many open files (a big SQLite cache, many
/// WebSocket clients) can reach that, so a connection that lands on such a descriptor is refused.
inline constexpr int kMaxSafeDescriptor = 1023;

/// How a transaction ended.
enum class TxKind {
  ok,
  exception,  ///< a Modbus exception reply ("Illegal data address"): the device is there
  garbage,    ///< a malformed reply (bad CRC, bad length, wrong transaction or unit)
  timeout,    ///< no reply in time, or a gateway reporting that its target did not answer
  link,       ///< the connection is broken: close and reconnect
};

struct TxStatus {
  TxKind kind = TxKind::ok;
  std::string message;  ///< libmodbus's words (modbus_strerror), empty when ok
  /// Replies seen during the transaction that did not answer it (late replies to earlier
  /// requests, another unit's frames) and were thrown away.
  unsigned discarded = 0;
  bool ok() const { return kind == TxKind::ok; }
};

/// Turns a libmodbus errno into a status; exported for tests.
TxStatus classify_errno(int error);

/// RTU silence between frames: 3.5 character times at the line's settings, and the Modbus serial
/// line spec's fixed 1750 µs above 19200 baud.
std::chrono::microseconds inter_frame_gap(const v1::ModbusRtu& rtu);

/// "tcp://host:port" or "rtu:///dev/ttyUSB0?baud=9600&parity=N", for messages and logs.
std::string describe(const v1::Bus& bus);

class ModbusConnection {
 public:
  /// Errors: the bus has no transport, or libmodbus rejects its settings (e.g. a bad parity).
  static Result<std::unique_ptr<ModbusConnection>> create(const v1::Bus& bus,
                                                          std::chrono::milliseconds response_timeout);
  ~ModbusConnection();
  ModbusConnection(const ModbusConnection&) = delete;
  ModbusConnection& operator=(const ModbusConnection&) = delete;

  /// Opens the TCP connection or the serial line. Connecting is bounded by min(timeout, 500 ms).
  TxStatus connect();
  void close();
  bool connected() const { return connected_; }
  bool is_rtu() const { return rtu_; }

  /// Reads `count` registers, or bits as 0/1 words, from `table` into `out` (at least count long).
  TxStatus read(unsigned unit, v1::RegisterTable table, unsigned start, unsigned count, std::uint16_t* out);
  /// Writes registers (FC6 for one, FC16 for several) or coils (FC5/FC15, words as 0/1).
  TxStatus write(unsigned unit, v1::RegisterTable table, unsigned start, std::span<const std::uint16_t> words);

  /// Thread-safe: wakes a transaction blocked on a TCP socket so a stop does not wait for the
  /// response timeout. Serial lines cannot be woken; their transactions end within the timeout.
  void shutdown_now();

 private:
  ModbusConnection(_modbus* ctx, bool rtu, std::chrono::milliseconds response_timeout,
                   std::chrono::microseconds quiet_gap);
  TxStatus fail(int error);
  TxStatus transact(tcp::Request request, std::span<std::uint16_t> values);
  /// TCP: sends `request` and waits for its reply, skipping late replies to the last requests.
  TxStatus transact_tcp(tcp::Request request, std::span<std::uint16_t> values);
  /// RTU: drains the line, sends `request` and waits for the frame that answers it, skipping
  /// others; after a timeout waits out a late reply (see late_reply_guard_).
  TxStatus transact_rtu(const tcp::Request& request, std::span<std::uint16_t> values);
  /// Reads and throws away whatever the serial line holds, until it has been silent for
  /// quiet_gap_ (returns at once on a silent line). Returns the bytes thrown away.
  std::size_t drain_line();
  /// Waits up to `guard` for bytes on the serial line; true (line drained) when some came.
  bool wait_out_late_reply(std::chrono::milliseconds guard);

  _modbus* ctx_;
  bool rtu_;
  std::chrono::milliseconds response_timeout_;
  bool connected_ = false;
  std::mutex fd_mutex_;  ///< protects fd_: shutdown_now() must never touch a descriptor already closed
  int fd_ = -1;
  std::uint16_t transaction_ = 0;
  /// RTU: the silence that ends a frame (the line's inter-frame gap, at least 1 ms).
  std::chrono::microseconds quiet_gap_{1000};
  std::vector<std::uint8_t> frame_;  ///< the request being sent, reused: no allocation per request
  /// Requests sent on this connection, up to kLateReplyWindow: a reply to one of them that arrives
  /// late (after its own timeout) is skipped. A poll cycle of a busy bus is a few dozen requests.
  std::uint16_t sent_ = 0;
  static constexpr std::uint16_t kLateReplyWindow = 1024;
};

}  // namespace atmo::modbus
