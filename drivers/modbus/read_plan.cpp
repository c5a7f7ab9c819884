#include "drivers/modbus/read_plan.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "drivers/modbus/register_codec.hpp"

namespace atmo::modbus {
namespace {

bool is_bit_table(v1::RegisterTable table) {
  return table == v1::REGISTER_TABLE_COIL || table == v1::REGISTER_TABLE_DISCRETE;
}

}  // namespace

PlanLimits plan_limits(const zones::BusSettings& settings) {
  PlanLimits limits;
  limits.max_registers = std::clamp(settings.max_registers_per_read, 1u, kMaxReadRegisters);
  limits.max_gap = settings.max_gap_registers;
  return limits;
}

bool is_polled(const zones::Point& point) {
  if (point.disabled) return false;
  return !point.output() || point.map->read_back();
}

std::vector<ReadRequest> plan_reads(std::span<const zones::Point* const> points, const PlanLimits& limits) {
  // Group key: device in order of first appearance, then table, period. std::map keeps it stable.
  std::map<const zones::Device*, std::size_t> device_rank;
  for (const auto* p : points) device_rank.emplace(p->device, device_rank.size());
  using Key = std::tuple<std::size_t, int, std::int64_t>;
  std::map<Key, std::vector<const zones::Point*>> groups;
  for (const auto* p : points) {
    groups[{device_rank[p->device], static_cast<int>(p->map->table()), p->poll_period.count()}].push_back(p);
  }

  std::vector<ReadRequest> plan;
  for (auto& [key, group] : groups) {
    std::stable_sort(group.begin(), group.end(),
                     [](const auto* a, const auto* b) { return a->map->address() < b->map->address(); });
    const auto table = static_cast<v1::RegisterTable>(std::get<1>(key));
    const unsigned max_count = is_bit_table(table) ? limits.max_bits : limits.max_registers;
    ReadRequest* current = nullptr;
    for (const auto* p : group) {
      const unsigned address = p->map->address();
      const unsigned size = register_count(*p->map);
      if (current) {
        const unsigned end = current->start + current->count;  // one past the last covered address
        const unsigned new_end = std::max(end, address + size);
        const bool close_enough = address <= end || address - end <= limits.max_gap;
        if (close_enough && new_end - current->start <= max_count) {
          current->count = new_end - current->start;
          current->points.push_back({p, address - current->start});
          continue;
        }
      }
      ReadRequest& r = plan.emplace_back();
      r.device = p->device;
      r.table = table;
      r.start = address;
      r.count = size;
      r.period = p->poll_period;
      r.points.push_back({p, 0});
      current = &r;
    }
  }
  return plan;
}

std::vector<ReadRequest> plan_bus_reads(const zones::Venue& venue, const v1::Bus& bus) {
  std::vector<const zones::Point*> polled;
  for (const auto* device : venue.devices_on_bus(bus.id())) {
    for (const auto* p : device->points) {
      if (is_polled(*p)) polled.push_back(p);
    }
  }
  return plan_reads(polled, plan_limits(venue.bus_settings(bus)));
}

std::vector<WriteRequest> plan_writes(std::vector<PendingWrite> writes) {
  std::stable_sort(writes.begin(), writes.end(), [](const PendingWrite& a, const PendingWrite& b) {
    return std::tuple(a.point->device, static_cast<int>(a.point->map->table()), a.point->map->address()) <
           std::tuple(b.point->device, static_cast<int>(b.point->map->table()), b.point->map->address());
  });
  std::vector<WriteRequest> plan;
  for (auto& w : writes) {
    const auto table = w.point->map->table();
    const unsigned address = w.point->map->address();
    const unsigned max_count = is_bit_table(table) ? kMaxWriteBits : kMaxWriteRegisters;
    if (!plan.empty()) {
      WriteRequest& last = plan.back();
      const bool adjacent = last.device == w.point->device && last.table == table &&
                            last.start + last.words.size() == address;
      if (adjacent && last.words.size() + w.words.size() <= max_count) {
        last.words.insert(last.words.end(), w.words.begin(), w.words.end());
        last.points.push_back(w.point);
        continue;
      }
    }
    WriteRequest& r = plan.emplace_back();
    r.device = w.point->device;
    r.table = table;
    r.start = address;
    r.words = std::move(w.words);
    r.points.push_back(w.point);
  }
  return plan;
}

}  // namespace atmo::modbus
