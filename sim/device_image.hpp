// One simulated device: its register image (built from the profile with the register codec, so a
// client decoding with the same profile reads engineering values), its injected fault and its
// request counters. The bus servers answer Modbus requests from it; the physics reads its outputs
// and writes its inputs.
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include <modbus/modbus.h>

#include "sim/device_fault.hpp"
#include "zones/result.hpp"
#include "zones/venue.hpp"

namespace atmo::sim {

/// Requests a device has seen, for `status` and tests.
struct DeviceCounters {
  std::uint64_t requests = 0;    ///< requests addressed to this unit
  std::uint64_t replies = 0;     ///< normal replies sent (delayed ones included)
  std::uint64_t exceptions = 0;  ///< exception replies (injected or protocol errors)
  std::uint64_t dropped = 0;     ///< requests left unanswered by a `drop` fault
  std::uint64_t closed = 0;      ///< connections closed by a `close` fault
  std::uint64_t writes = 0;      ///< write requests that changed the image
};

/// Thread-safe: every member locks mutex_, so bus threads, the physics and control calls may use one
/// image concurrently. No method calls out to other components while holding the lock.
class DeviceImage {
 public:
  explicit DeviceImage(const zones::Device& device);
  ~DeviceImage();
  DeviceImage(const DeviceImage&) = delete;
  DeviceImage& operator=(const DeviceImage&) = delete;

  const zones::Device& device() const { return device_; }
  unsigned unit() const { return device_.config->unit(); }

  /// The point's engineering value decoded from the image.
  /// Errors: the point does not belong to this device.
  Result<double> value(const zones::Point& point) const;

  /// Encodes `value` into the point's registers (bit fields set only their bit).
  /// With `clamp`, values outside the point's range are clamped first, as a saturated sensor would
  /// read; without it they are an error. Returns the value the image now holds.
  /// Errors: not this device's point, out of range (without clamp), not representable in its type.
  Result<double> set_value(const zones::Point& point, double value, bool clamp);

  DeviceFault fault() const;
  void set_fault(const DeviceFault& fault);

  /// Answers one request (`req` as modbus_receive returned it, `length` bytes) on the context's
  /// current socket with libmodbus: reads from the image, writes into it. Writes that touch a
  /// register of no writable point are refused with ILLEGAL DATA ADDRESS, as a real device refuses
  /// writing its measurements. With `garbage`, reads see out-of-range raw values instead.
  /// Returns modbus_reply's result (-1 when sending failed).
  int reply(modbus_t* ctx, const std::uint8_t* req, int length, int header_length, bool garbage);

  /// Sends Modbus exception `code` for `req` and counts it.
  int reply_exception(modbus_t* ctx, const std::uint8_t* req, unsigned code);

  void count_request();
  void count_dropped();
  void count_closed();
  DeviceCounters counters() const;

 private:
  struct Table {
    unsigned start = 0;
    unsigned count = 0;
  };
  struct Span {
    std::uint16_t* words = nullptr;  // register tables
    std::uint8_t* bits = nullptr;    // coil and discrete tables
    unsigned index = 0;              // offset of the point's first register in its table
  };

  Span locate(const zones::Point& point) const;  // caller holds mutex_
  double read_locked(const zones::Point& point) const;
  bool writable_range(v1::RegisterTable table, unsigned address, unsigned count) const;
  void write_garbage_locked();

  const zones::Device& device_;
  Table tables_[5];  // indexed by v1::RegisterTable

  mutable std::mutex mutex_;  ///< protects mapping_ contents, fault_ and counters_
  modbus_mapping_t* mapping_ = nullptr;
  DeviceFault fault_;
  DeviceCounters counters_;
};

}  // namespace atmo::sim
