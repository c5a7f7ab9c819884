// Builds venues in code for the Modbus tests: a profile with one point of every kind, buses on
// local ports or ptys, devices at unit ids. Protobuf setters keep the tests independent of YAML.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config/atmo.pb.h"
#include "zones/venue.hpp"

namespace atmo::modbus::test {

struct PointSpec {
  std::string name{};
  v1::RegisterTable table = v1::REGISTER_TABLE_HOLDING;
  unsigned address = 0;
  v1::ValueType type = v1::VALUE_TYPE_U16;
  v1::WordOrder order = v1::WORD_ORDER_ABCD;
  std::optional<double> scale{};
  double offset = 0;
  std::optional<std::pair<double, double>> range{};
  unsigned poll_ms = 0;
  bool writable = false;
  bool read_back = false;
  std::optional<unsigned> bit{};
};

v1::PointMap point_map(const PointSpec& spec);

/// Adds a profile made of `points` to `venue`.
void add_profile(v1::Venue& venue, const std::string& id, std::initializer_list<PointSpec> points);
v1::Bus& add_tcp_bus(v1::Venue& venue, const std::string& id, int port, unsigned response_timeout_ms = 300,
                     unsigned offline_after = 3);
v1::Bus& add_rtu_bus(v1::Venue& venue, const std::string& id, const std::string& device, unsigned baud = 19200);
/// Adds a device (and its zone when new).
v1::Device& add_device(v1::Venue& venue, const std::string& zone, const std::string& id, const std::string& profile,
                       const std::string& bus, unsigned unit, unsigned poll_ms = 0);

}  // namespace atmo::modbus::test
