#include "drivers/modbus/register_codec.hpp"

#include <bit>
#include <cmath>
#include <limits>

namespace atmo::modbus {
namespace {

bool is_bit_table(v1::RegisterTable table) {
  return table == v1::REGISTER_TABLE_COIL || table == v1::REGISTER_TABLE_DISCRETE;
}

std::uint16_t swap_bytes(std::uint16_t w) { return static_cast<std::uint16_t>((w << 8) | (w >> 8)); }

// Reassembles the big-endian 32-bit value A B C D from two registers stored in `order`.
std::uint32_t join_words(std::uint16_t first, std::uint16_t second, v1::WordOrder order) {
  switch (order) {
    case v1::WORD_ORDER_CDAB:
      return (std::uint32_t{second} << 16) | first;
    case v1::WORD_ORDER_BADC:
      return (std::uint32_t{swap_bytes(first)} << 16) | swap_bytes(second);
    case v1::WORD_ORDER_DCBA:
      return (std::uint32_t{swap_bytes(second)} << 16) | swap_bytes(first);
    default:  // ABCD and unspecified
      return (std::uint32_t{first} << 16) | second;
  }
}

RawWords split_words(std::uint32_t value, v1::WordOrder order) {
  const auto high = static_cast<std::uint16_t>(value >> 16);
  const auto low = static_cast<std::uint16_t>(value & 0xFFFFu);
  RawWords out;
  out.count = 2;
  switch (order) {
    case v1::WORD_ORDER_CDAB:
      out.words = {low, high};
      break;
    case v1::WORD_ORDER_BADC:
      out.words = {swap_bytes(high), swap_bytes(low)};
      break;
    case v1::WORD_ORDER_DCBA:
      out.words = {swap_bytes(low), swap_bytes(high)};
      break;
    default:
      out.words = {high, low};
      break;
  }
  return out;
}

std::string format_value(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

v1::ValueType effective_type(const v1::PointMap& point) {
  if (is_bit_table(point.table()) || point.has_bit()) return v1::VALUE_TYPE_BOOL;
  if (point.type() == v1::VALUE_TYPE_UNSPECIFIED) return v1::VALUE_TYPE_U16;
  return point.type();
}

unsigned register_count(const v1::PointMap& point) {
  switch (effective_type(point)) {
    case v1::VALUE_TYPE_U32:
    case v1::VALUE_TYPE_I32:
    case v1::VALUE_TYPE_F32:
      return 2;
    default:
      return 1;
  }
}

double scale_of(const v1::PointMap& point) { return point.has_scale() ? point.scale() : 1.0; }

bool in_range(const v1::PointMap& point, double value) {
  if (!point.has_range()) return true;
  return value >= point.range().min() && value <= point.range().max();
}

Result<double> decode(const v1::PointMap& point, std::span<const std::uint16_t> words) {
  const unsigned need = register_count(point);
  if (words.size() < need) {
    return make_error("point '" + point.name() + "' needs " + std::to_string(need) + " register(s), got " +
                      std::to_string(words.size()));
  }
  double raw = 0;
  switch (effective_type(point)) {
    case v1::VALUE_TYPE_BOOL:
      if (point.has_bit() && !is_bit_table(point.table())) {
        raw = (words[0] >> point.bit()) & 1u;
      } else {
        raw = words[0] != 0 ? 1 : 0;
      }
      break;
    case v1::VALUE_TYPE_I16:
      raw = static_cast<std::int16_t>(words[0]);
      break;
    case v1::VALUE_TYPE_U32:
      raw = join_words(words[0], words[1], point.order());
      break;
    case v1::VALUE_TYPE_I32:
      raw = static_cast<std::int32_t>(join_words(words[0], words[1], point.order()));
      break;
    case v1::VALUE_TYPE_F32:
      raw = std::bit_cast<float>(join_words(words[0], words[1], point.order()));
      break;
    default:
      raw = words[0];
      break;
  }
  return raw * scale_of(point) + point.offset();
}

Result<RawWords> encode(const v1::PointMap& point, double value) {
  if (!std::isfinite(value)) return make_error("value for '" + point.name() + "' is not a number");
  if (!in_range(point, value)) {
    return make_error("value " + format_value(value) + " for '" + point.name() + "' is outside its range " +
                      format_value(point.range().min()) + ".." + format_value(point.range().max()));
  }
  const double scale = scale_of(point);
  if (scale == 0) return make_error("point '" + point.name() + "' has scale 0 and cannot be written");
  const double raw = (value - point.offset()) / scale;
  const auto fits = [&](double lo, double hi) -> Result<double> {
    const double r = std::round(raw);
    if (r < lo || r > hi) {
      return make_error("value " + format_value(value) + " for '" + point.name() + "' does not fit a " +
                        type_name(effective_type(point)) + " register");
    }
    return r;
  };
  RawWords out;
  switch (effective_type(point)) {
    case v1::VALUE_TYPE_BOOL: {
      if (point.has_bit() && !is_bit_table(point.table())) {
        return make_error("point '" + point.name() + "' is a bit inside a register; write the whole register");
      }
      out.words[0] = raw != 0 ? 1 : 0;
      out.count = 1;
      return out;
    }
    case v1::VALUE_TYPE_I16: {
      auto r = fits(std::numeric_limits<std::int16_t>::min(), std::numeric_limits<std::int16_t>::max());
      if (!r) return r.error();
      out.words[0] = static_cast<std::uint16_t>(static_cast<std::int16_t>(*r));
      out.count = 1;
      return out;
    }
    case v1::VALUE_TYPE_U32: {
      auto r = fits(0, std::numeric_limits<std::uint32_t>::max());
      if (!r) return r.error();
      return split_words(static_cast<std::uint32_t>(*r), point.order());
    }
    case v1::VALUE_TYPE_I32: {
      auto r = fits(std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max());
      if (!r) return r.error();
      return split_words(static_cast<std::uint32_t>(static_cast<std::int32_t>(*r)), point.order());
    }
    case v1::VALUE_TYPE_F32: {
      if (std::fabs(raw) > std::numeric_limits<float>::max()) {
        return make_error("value for '" + point.name() + "' does not fit a f32 register");
      }
      return split_words(std::bit_cast<std::uint32_t>(static_cast<float>(raw)), point.order());
    }
    default: {
      auto r = fits(0, std::numeric_limits<std::uint16_t>::max());
      if (!r) return r.error();
      out.words[0] = static_cast<std::uint16_t>(*r);
      out.count = 1;
      return out;
    }
  }
}

std::string table_name(v1::RegisterTable table) {
  switch (table) {
    case v1::REGISTER_TABLE_COIL: return "coil";
    case v1::REGISTER_TABLE_DISCRETE: return "discrete";
    case v1::REGISTER_TABLE_INPUT: return "input";
    case v1::REGISTER_TABLE_HOLDING: return "holding";
    default: return "unspecified";
  }
}

std::string type_name(v1::ValueType type) {
  switch (type) {
    case v1::VALUE_TYPE_U16: return "u16";
    case v1::VALUE_TYPE_I16: return "i16";
    case v1::VALUE_TYPE_U32: return "u32";
    case v1::VALUE_TYPE_I32: return "i32";
    case v1::VALUE_TYPE_F32: return "f32";
    case v1::VALUE_TYPE_BOOL: return "bool";
    default: return "u16";
  }
}

std::string order_name(v1::WordOrder order) {
  switch (order) {
    case v1::WORD_ORDER_CDAB: return "cdab";
    case v1::WORD_ORDER_BADC: return "badc";
    case v1::WORD_ORDER_DCBA: return "dcba";
    default: return "abcd";
  }
}

}  // namespace atmo::modbus
