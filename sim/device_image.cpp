#include "sim/device_image.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>
#include <stdexcept>

#include "drivers/modbus/register_codec.hpp"

namespace atmo::sim {
namespace {

bool is_bit_table(v1::RegisterTable table) {
  return table == v1::REGISTER_TABLE_COIL || table == v1::REGISTER_TABLE_DISCRETE;
}

bool is_bit_in_register(const v1::PointMap& map) { return map.has_bit() && !is_bit_table(map.table()); }

unsigned read_u16(const std::uint8_t* p) { return (unsigned{p[0]} << 8) | p[1]; }

// Raw extremes of a point's type: the first whose engineering value falls outside the point's range
// is what a `garbage` fault serves (a sensor wired wrong, a device mid-reset reporting 0xFFFF).
std::optional<modbus::RawWords> garbage_words(const v1::PointMap& map) {
  v1::PointMap open = map;
  open.clear_range();
  std::vector<double> raws;
  switch (modbus::effective_type(map)) {
    case v1::VALUE_TYPE_I16: raws = {32767, -32768, 32000}; break;
    case v1::VALUE_TYPE_U32: raws = {4294967295.0, 0, 4294967000.0}; break;
    case v1::VALUE_TYPE_I32: raws = {2147483647.0, -2147483648.0, 2147483000.0}; break;
    case v1::VALUE_TYPE_F32: raws = {3.0e38, -3.0e38, 1.0e9}; break;
    case v1::VALUE_TYPE_BOOL: return std::nullopt;
    default: raws = {65535, 0, 65000}; break;
  }
  std::optional<modbus::RawWords> first;
  for (double raw : raws) {
    auto words = modbus::encode(open, raw * modbus::scale_of(map) + map.offset());
    if (!words) continue;
    if (!first) first = *words;
    auto decoded = modbus::decode(map, words->span());
    if (decoded && !modbus::in_range(map, *decoded)) return *words;
  }
  return first;
}

}  // namespace

DeviceImage::DeviceImage(const zones::Device& device) : device_(device) {
  // Each table spans the lowest to the highest address the profile uses; gaps read as 0, as most
  // devices answer for reserved registers inside their map.
  unsigned lo[5] = {};
  unsigned hi[5] = {};
  bool used[5] = {};
  for (const auto* point : device_.points) {
    const auto table = static_cast<unsigned>(point->map->table());
    if (table == 0 || table > 4) continue;
    const unsigned first = point->map->address();
    const unsigned end = first + modbus::register_count(*point->map);
    lo[table] = used[table] ? std::min(lo[table], first) : first;
    hi[table] = used[table] ? std::max(hi[table], end) : end;
    used[table] = true;
  }
  for (unsigned t = 1; t <= 4; ++t) {
    if (used[t]) tables_[t] = Table{lo[t], hi[t] - lo[t]};
  }
  mapping_ = modbus_mapping_new_start_address(
      tables_[v1::REGISTER_TABLE_COIL].start, tables_[v1::REGISTER_TABLE_COIL].count,
      tables_[v1::REGISTER_TABLE_DISCRETE].start, tables_[v1::REGISTER_TABLE_DISCRETE].count,
      tables_[v1::REGISTER_TABLE_HOLDING].start, tables_[v1::REGISTER_TABLE_HOLDING].count,
      tables_[v1::REGISTER_TABLE_INPUT].start, tables_[v1::REGISTER_TABLE_INPUT].count);
  if (mapping_ == nullptr) throw std::runtime_error("cannot allocate the register image of " + device_.id);
}

DeviceImage::~DeviceImage() { modbus_mapping_free(mapping_); }

DeviceImage::Span DeviceImage::locate(const zones::Point& point) const {
  const auto table = point.map->table();
  const unsigned index = point.map->address() - tables_[table].start;
  switch (table) {
    case v1::REGISTER_TABLE_COIL: return Span{nullptr, mapping_->tab_bits, index};
    case v1::REGISTER_TABLE_DISCRETE: return Span{nullptr, mapping_->tab_input_bits, index};
    case v1::REGISTER_TABLE_HOLDING: return Span{mapping_->tab_registers, nullptr, index};
    case v1::REGISTER_TABLE_INPUT: return Span{mapping_->tab_input_registers, nullptr, index};
    default: return Span{};
  }
}

double DeviceImage::read_locked(const zones::Point& point) const {
  const Span span = locate(point);
  std::uint16_t words[2] = {};
  if (span.bits != nullptr) {
    words[0] = span.bits[span.index] != 0 ? 1 : 0;
  } else if (span.words != nullptr) {
    words[0] = span.words[span.index];
    if (modbus::register_count(*point.map) == 2) words[1] = span.words[span.index + 1];
  }
  auto value = modbus::decode(*point.map, std::span<const std::uint16_t>(words, modbus::register_count(*point.map)));
  return value ? *value : std::numeric_limits<double>::quiet_NaN();
}

Result<double> DeviceImage::value(const zones::Point& point) const {
  if (point.device != &device_) return make_error("point " + point.id + " is not on device " + device_.id);
  std::lock_guard lock(mutex_);
  return read_locked(point);
}

Result<double> DeviceImage::set_value(const zones::Point& point, double value, bool clamp) {
  if (point.device != &device_) return make_error("point " + point.id + " is not on device " + device_.id);
  if (!std::isfinite(value)) return make_error("value for " + point.id + " is not a number");
  const auto& map = *point.map;
  if (clamp && map.has_range()) value = std::clamp(value, map.range().min(), map.range().max());
  std::lock_guard lock(mutex_);
  const Span span = locate(point);
  if (span.words == nullptr && span.bits == nullptr) {
    return make_error(point.id + " names no register table (coil, discrete, input or holding)");
  }
  if (is_bit_in_register(map)) {
    const auto mask = static_cast<std::uint16_t>(1u << map.bit());
    std::uint16_t& word = span.words[span.index];
    word = static_cast<std::uint16_t>(value != 0 ? (word | mask) : (word & ~mask));
    return read_locked(point);
  }
  auto words = modbus::encode(map, value);
  if (!words) return make_error(point.id + ": " + words.error().message);
  if (span.bits != nullptr) {
    span.bits[span.index] = words->words[0] != 0 ? 1 : 0;
  } else {
    for (unsigned i = 0; i < words->count; ++i) span.words[span.index + i] = words->words[i];
  }
  return read_locked(point);
}

DeviceFault DeviceImage::fault() const {
  std::lock_guard lock(mutex_);
  return fault_;
}

void DeviceImage::set_fault(const DeviceFault& fault) {
  std::lock_guard lock(mutex_);
  fault_ = fault;
}

bool DeviceImage::writable_range(v1::RegisterTable table, unsigned address, unsigned count) const {
  for (unsigned a = address; a < address + count; ++a) {
    const bool covered = std::any_of(device_.points.begin(), device_.points.end(), [&](const zones::Point* p) {
      return p->map->table() == table && p->map->writable() && a >= p->map->address() &&
             a < p->map->address() + modbus::register_count(*p->map);
    });
    if (!covered) return false;
  }
  return true;
}

void DeviceImage::write_garbage_locked() {
  for (const auto* point : device_.points) {
    const auto table = point->map->table();
    if (table != v1::REGISTER_TABLE_HOLDING && table != v1::REGISTER_TABLE_INPUT) continue;
    auto words = garbage_words(*point->map);
    if (!words) continue;
    const Span span = locate(*point);
    for (unsigned i = 0; i < words->count; ++i) span.words[span.index + i] = words->words[i];
  }
}

int DeviceImage::reply(modbus_t* ctx, const std::uint8_t* req, int length, int header_length, bool garbage) {
  const std::uint8_t* pdu = req + header_length;
  const unsigned function = pdu[0];
  std::optional<std::pair<v1::RegisterTable, std::pair<unsigned, unsigned>>> write;
  switch (function) {
    case MODBUS_FC_WRITE_SINGLE_COIL:
      write = {v1::REGISTER_TABLE_COIL, {read_u16(pdu + 1), 1}};
      break;
    case MODBUS_FC_WRITE_MULTIPLE_COILS:
      write = {v1::REGISTER_TABLE_COIL, {read_u16(pdu + 1), read_u16(pdu + 3)}};
      break;
    case MODBUS_FC_WRITE_SINGLE_REGISTER:
    case MODBUS_FC_MASK_WRITE_REGISTER:
      write = {v1::REGISTER_TABLE_HOLDING, {read_u16(pdu + 1), 1}};
      break;
    case MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
      write = {v1::REGISTER_TABLE_HOLDING, {read_u16(pdu + 1), read_u16(pdu + 3)}};
      break;
    case MODBUS_FC_WRITE_AND_READ_REGISTERS:
      write = {v1::REGISTER_TABLE_HOLDING, {read_u16(pdu + 5), read_u16(pdu + 7)}};
      break;
    default:
      break;
  }
  std::lock_guard lock(mutex_);
  if (write && !writable_range(write->first, write->second.first, write->second.second)) {
    ++counters_.exceptions;
    return modbus_reply_exception(ctx, req, MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS);
  }
  std::vector<std::uint16_t> saved_holding;
  std::vector<std::uint16_t> saved_input;
  if (garbage && !write) {
    saved_holding.assign(mapping_->tab_registers, mapping_->tab_registers + mapping_->nb_registers);
    saved_input.assign(mapping_->tab_input_registers,
                       mapping_->tab_input_registers + mapping_->nb_input_registers);
    write_garbage_locked();
  }
  const int rc = modbus_reply(ctx, req, length, mapping_);
  if (!saved_holding.empty()) std::copy(saved_holding.begin(), saved_holding.end(), mapping_->tab_registers);
  if (!saved_input.empty()) std::copy(saved_input.begin(), saved_input.end(), mapping_->tab_input_registers);
  if (rc >= 0) {
    // Protocol errors (a read outside the image, a bad count) are answered by modbus_reply itself
    // with an exception; they count as replies here.
    ++counters_.replies;
    if (write) ++counters_.writes;
  }
  return rc;
}

int DeviceImage::reply_exception(modbus_t* ctx, const std::uint8_t* req, unsigned code) {
  std::lock_guard lock(mutex_);
  ++counters_.exceptions;
  return modbus_reply_exception(ctx, req, code);
}

void DeviceImage::count_request() {
  std::lock_guard lock(mutex_);
  ++counters_.requests;
}

void DeviceImage::count_dropped() {
  std::lock_guard lock(mutex_);
  ++counters_.dropped;
}

void DeviceImage::count_closed() {
  std::lock_guard lock(mutex_);
  ++counters_.closed;
}

DeviceCounters DeviceImage::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

}  // namespace atmo::sim
