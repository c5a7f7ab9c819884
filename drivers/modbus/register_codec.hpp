// Turns raw Modbus registers into engineering values and back, as a profile point describes them:
// 16/32-bit integers and floats in all four word/byte orders, bit fields, scale and offset.
// Pure functions: the bus workers, the simulator, the CLI and the profile test vectors share them.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "config/atmo.pb.h"
#include "zones/result.hpp"

namespace atmo::modbus {

/// Registers (or coils/discrete bits) a point occupies: 2 for 32-bit types, else 1.
unsigned register_count(const v1::PointMap& point);

/// The point's effective value type (bool for bit tables, u16 when unspecified).
v1::ValueType effective_type(const v1::PointMap& point);

/// Raw words for one point, at most two. Bits (coils, discrete inputs) travel as 0/1 words.
struct RawWords {
  std::array<std::uint16_t, 2> words{};
  unsigned count = 0;
  std::span<const std::uint16_t> span() const { return {words.data(), count}; }
};

/// Decodes `words` (exactly register_count(point) of them) into the engineering value
/// raw * scale + offset.
/// Errors: too few words.
Result<double> decode(const v1::PointMap& point, std::span<const std::uint16_t> words);

/// Encodes an engineering value into raw words.
/// Errors: the value is outside the point's range, not finite, or does not fit its type after
/// scaling (e.g. -1 for a u16). Integers are rounded to nearest.
Result<RawWords> encode(const v1::PointMap& point, double value);

/// True when the point has no range or `value` lies inside it (inclusive).
bool in_range(const v1::PointMap& point, double value);

/// The scale factor, 1 when the profile gives none.
double scale_of(const v1::PointMap& point);

/// Short lower-case names used in profiles, the CLI and messages: "holding", "f32", "cdab".
std::string table_name(v1::RegisterTable table);
std::string type_name(v1::ValueType type);
std::string order_name(v1::WordOrder order);

}  // namespace atmo::modbus
