// libFuzzer target: what a Modbus device sends back, and the plan that decides what to ask for.
// The input describes up to 16 points of one device (table, address, type, word order, bit,
// scale, offset, range: anything a profile can say) and then the register words the device
// answers. The read plan is built as a bus worker builds it, checked against the protocol's
// limits, and every planned point is decoded from the reply the way the worker decodes it.
// Properties: no crash or sanitizer report; no request over the Modbus limits or reading past its
// reply; every point planned exactly once and never split; a value is only ever "good" when it is
// finite and in its range; an integer value in range encodes back to the words it came from.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <map>
#include <vector>

#include "drivers/modbus/point_quality.hpp"
#include "drivers/modbus/read_plan.hpp"
#include "drivers/modbus/register_codec.hpp"
#include "zones/venue.hpp"

namespace {

using namespace atmo;

void check(bool ok) {
  if (!ok) std::abort();
}

constexpr double kScales[] = {1, 0.1, 0.01, 0.001, 10, 100, 0.5, 2.5};
constexpr double kOffsets[] = {0, -40, 273.15, 1000, -0.5};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  v1::Bus bus;
  bus.set_id("fuzz");
  v1::Device device_config;
  device_config.set_unit(in.ConsumeIntegralInRange<unsigned>(1, 247));
  zones::Device device;
  device.id = "zone.device";
  device.config = &device_config;
  device.bus = &bus;

  const auto n = in.ConsumeIntegralInRange<std::size_t>(1, 16);
  std::deque<v1::PointMap> maps;  // stable addresses for the points
  std::deque<zones::Point> points;
  std::vector<const zones::Point*> polled;
  for (std::size_t i = 0; i < n; ++i) {
    v1::PointMap& m = maps.emplace_back();
    m.set_name("p" + std::to_string(i));
    m.set_table(static_cast<v1::RegisterTable>(in.ConsumeIntegralInRange<int>(1, 4)));
    m.set_address(in.ConsumeIntegralInRange<std::uint32_t>(0, 300));
    m.set_type(static_cast<v1::ValueType>(in.ConsumeIntegralInRange<int>(0, 6)));
    m.set_order(static_cast<v1::WordOrder>(in.ConsumeIntegralInRange<int>(0, 4)));
    if (in.ConsumeBool()) m.set_bit(in.ConsumeIntegralInRange<std::uint32_t>(0, 15));
    if (in.ConsumeBool()) m.set_scale(in.PickValueInArray(kScales));
    if (in.ConsumeBool()) m.set_offset(in.PickValueInArray(kOffsets));
    if (in.ConsumeBool()) {
      const double a = in.ConsumeFloatingPointInRange<double>(-1e6, 1e6);
      const double b = in.ConsumeFloatingPointInRange<double>(-1e6, 1e6);
      m.mutable_range()->set_min(std::min(a, b));
      m.mutable_range()->set_max(std::max(a, b));
    }
    m.set_writable(in.ConsumeBool());
    m.set_read_back(in.ConsumeBool());
    zones::Point& p = points.emplace_back();
    p.id = device.id + "." + m.name();
    p.local_id = "device." + m.name();
    p.zone = "zone";
    p.device = &device;
    p.map = &m;
    p.poll_period = std::chrono::milliseconds(in.PickValueInArray({250, 1000, 5000}));
    device.points.push_back(&p);
    polled.push_back(&p);
  }
  modbus::PlanLimits limits;
  limits.max_registers = in.ConsumeIntegralInRange<unsigned>(1, modbus::kMaxReadRegisters);
  limits.max_bits = in.ConsumeIntegralInRange<unsigned>(1, modbus::kMaxReadBits);
  limits.max_gap = in.ConsumeIntegralInRange<unsigned>(0, 20);

  const auto plan = modbus::plan_reads(polled, limits);
  std::map<const zones::Point*, int> planned_times;
  for (const auto& r : plan) {
    const bool bits = r.table == v1::REGISTER_TABLE_COIL || r.table == v1::REGISTER_TABLE_DISCRETE;
    check(r.device == &device);
    check(r.count >= 1);
    // A single point wider than the limit still needs its one request; otherwise the limit holds.
    check(r.count <= (bits ? modbus::kMaxReadBits : modbus::kMaxReadRegisters));
    check(r.count <= (bits ? limits.max_bits : limits.max_registers) || r.points.size() == 1);
    check(!r.points.empty());
    for (const auto& pp : r.points) {
      ++planned_times[pp.point];
      check(pp.point->map->table() == r.table);
      check(pp.point->poll_period == r.period);
      check(r.start + pp.offset == pp.point->map->address());
      check(pp.offset + modbus::register_count(*pp.point->map) <= r.count);  // never split, never past the reply
    }

    // The device's answer: exactly r.count words, as libmodbus hands them over.
    std::vector<std::uint16_t> words(r.count);
    for (auto& w : words) w = bits ? in.ConsumeIntegralInRange<std::uint16_t>(0, 1) : in.ConsumeIntegral<std::uint16_t>();
    for (const auto& pp : r.points) {
      const auto& map = *pp.point->map;
      const auto span = std::span<const std::uint16_t>(words).subspan(pp.offset, modbus::register_count(map));
      auto value = modbus::decode(map, span);
      check(value.ok());  // exactly as many words as the point needs
      modbus::PointTracker tracker(*pp.point);
      const auto reading = tracker.on_value(*value, 0);
      if (reading.quality == v1::QUALITY_GOOD) check(std::isfinite(*value) && modbus::in_range(map, *value));
      if (std::isfinite(*value) && modbus::in_range(map, *value)) check(reading.quality == v1::QUALITY_GOOD);
      // A value read from integer registers writes back as the same registers (a read-back match).
      const auto type = modbus::effective_type(map);
      const bool integer = type == v1::VALUE_TYPE_U16 || type == v1::VALUE_TYPE_I16 || type == v1::VALUE_TYPE_U32 ||
                           type == v1::VALUE_TYPE_I32;
      if (integer && !map.has_bit() && reading.quality == v1::QUALITY_GOOD) {
        auto encoded = modbus::encode(map, *value);
        check(encoded.ok());
        check(std::equal(span.begin(), span.end(), encoded->span().begin(), encoded->span().end()));
      }
    }
    // Too few words is an error value, never a read past the end.
    if (r.count > 0) {
      for (const auto& pp : r.points) {
        if (modbus::register_count(*pp.point->map) == 2) {
          check(!modbus::decode(*pp.point->map, std::span<const std::uint16_t>(words).first(1)).ok());
        }
      }
    }
  }
  for (const auto* p : polled) check(planned_times[p] == 1);
  return 0;
}
