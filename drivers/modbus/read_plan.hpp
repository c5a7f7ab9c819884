// The coalesced read plan of one bus: which Modbus requests one poll cycle needs. Adjacent registers
// of one device, table and poll period are read in one request (within the Modbus size limits and the
// bus's max_gap_registers), so a device with ten points costs one round trip instead of ten.
// Pure functions, computed once per bus at start; writes are coalesced the same way.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "config/atmo.pb.h"
#include "zones/venue.hpp"

namespace atmo::modbus {

/// Modbus protocol limits per request (Modbus Application Protocol 1.1b, 6.1–6.4, 6.11, 6.12).
inline constexpr unsigned kMaxReadRegisters = 125;
inline constexpr unsigned kMaxReadBits = 2000;
inline constexpr unsigned kMaxWriteRegisters = 123;
inline constexpr unsigned kMaxWriteBits = 1968;

struct PlanLimits {
  unsigned max_registers = kMaxReadRegisters;  ///< per read of holding/input registers
  unsigned max_bits = kMaxReadBits;            ///< per read of coils/discrete inputs
  unsigned max_gap = 0;                        ///< unused addresses a read may span to join two points
};

/// The bus's limits, clamped to what the protocol allows.
PlanLimits plan_limits(const zones::BusSettings& settings);

/// A point's place inside a read request.
struct PlannedPoint {
  const zones::Point* point = nullptr;
  unsigned offset = 0;  ///< first register (or bit) of the point, relative to ReadRequest::start
};

/// One Modbus read: one device (unit), one table, a contiguous address range.
struct ReadRequest {
  const zones::Device* device = nullptr;
  v1::RegisterTable table = v1::REGISTER_TABLE_HOLDING;
  unsigned start = 0;
  unsigned count = 0;  ///< registers or bits
  std::chrono::milliseconds period{1000};
  std::vector<PlannedPoint> points;  ///< by address
};

/// True for points the bus polls: enabled inputs, and outputs whose profile allows read-back.
bool is_polled(const zones::Point& point);

/// Groups `points` by device, table and poll period and merges neighbours into as few requests as
/// the limits allow. A multi-register point is never split across two requests. The result is
/// ordered by device (first appearance), then table, period and address.
std::vector<ReadRequest> plan_reads(std::span<const zones::Point* const> points, const PlanLimits& limits);

/// The read plan of every polled point on `bus`.
std::vector<ReadRequest> plan_bus_reads(const zones::Venue& venue, const v1::Bus& bus);

/// One encoded output value, ready to be written.
struct PendingWrite {
  const zones::Point* point = nullptr;
  std::vector<std::uint16_t> words;  ///< registers, or 0/1 per coil
};

/// One Modbus write: contiguous outputs of one device and table.
struct WriteRequest {
  const zones::Device* device = nullptr;
  v1::RegisterTable table = v1::REGISTER_TABLE_HOLDING;
  unsigned start = 0;
  std::vector<std::uint16_t> words;
  std::vector<const zones::Point*> points;  ///< by address
};

/// Merges writes of exactly adjacent outputs (no gaps: a write cannot skip an address) of one device
/// and table into one request, within the protocol's write limits.
std::vector<WriteRequest> plan_writes(std::vector<PendingWrite> writes);

}  // namespace atmo::modbus
