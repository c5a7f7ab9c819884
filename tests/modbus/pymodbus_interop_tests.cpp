// Interoperability with an independent Modbus implementation: Debian's python3-pymodbus 3.0.0
// encodes a value of every type in every word order, atmo reads and decodes them; atmo writes
// values and pymodbus decodes them. Layout and values must match pymodbus_peer.py.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "child_process.hpp"
#include "device_set_harness.hpp"
#include "test_venue.hpp"

using namespace atmo;
using namespace atmo::modbus;
using namespace atmo::modbus::test;
using namespace std::chrono_literals;

namespace {

struct Layout {
  std::string name;
  v1::ValueType type;
  v1::WordOrder order;
  unsigned offset;
};

std::vector<Layout> layout() {
  std::vector<Layout> out = {{"u16", v1::VALUE_TYPE_U16, v1::WORD_ORDER_ABCD, 0},
                             {"i16", v1::VALUE_TYPE_I16, v1::WORD_ORDER_ABCD, 1}};
  const std::pair<const char*, v1::WordOrder> orders[] = {{"abcd", v1::WORD_ORDER_ABCD},
                                                          {"cdab", v1::WORD_ORDER_CDAB},
                                                          {"badc", v1::WORD_ORDER_BADC},
                                                          {"dcba", v1::WORD_ORDER_DCBA}};
  const std::pair<const char*, v1::ValueType> types[] = {
      {"u32", v1::VALUE_TYPE_U32}, {"i32", v1::VALUE_TYPE_I32}, {"f32", v1::VALUE_TYPE_F32}};
  for (unsigned k = 0; k < 4; ++k) {
    for (unsigned j = 0; j < 3; ++j) {
      out.push_back({std::string(types[j].first) + "_" + orders[k].first, types[j].second, orders[k].second,
                     2 + 6 * k + 2 * j});
    }
  }
  return out;
}

double read_value(v1::ValueType t) {
  switch (t) {
    case v1::VALUE_TYPE_U16: return 54321;
    case v1::VALUE_TYPE_I16: return -1234;
    case v1::VALUE_TYPE_U32: return 4000000000.0;
    case v1::VALUE_TYPE_I32: return -123456789;
    default: return static_cast<double>(-273.15f);
  }
}

double write_value(v1::ValueType t) {
  switch (t) {
    case v1::VALUE_TYPE_U16: return 12345;
    case v1::VALUE_TYPE_I16: return -32000;
    case v1::VALUE_TYPE_U32: return 3000000001.0;
    case v1::VALUE_TYPE_I32: return -987654321;
    default: return 1013.25;
  }
}

constexpr unsigned kWriteBase = 100;
constexpr unsigned kTrigger = 199;

}  // namespace

TEST_CASE("pymodbus interop: every type and word order, read and written", "[integration][interop]") {
  ChildProcess peer({"/usr/bin/python3", std::string(ATMO_MODBUS_TEST_DIR) + "/pymodbus_peer.py", "25"}, 30s);
  auto banner = peer.read_line(15s);
  INFO("pymodbus_peer.py did not start; it needs python3-pymodbus and python3-serial-asyncio (Debian)");
  REQUIRE(banner.has_value());
  REQUIRE(banner->rfind("serving 127.0.0.1:", 0) == 0);
  const int port = std::stoi(banner->substr(banner->find(':') + 1));

  v1::Venue v;
  auto* profile = v.add_profiles();
  profile->set_id("peer");
  for (const auto& l : layout()) {
    for (auto table : {v1::REGISTER_TABLE_HOLDING, v1::REGISTER_TABLE_INPUT}) {
      PointSpec p{.name = (table == v1::REGISTER_TABLE_HOLDING ? "hr_" : "ir_") + l.name, .table = table,
                  .address = l.offset, .type = l.type, .order = l.order, .poll_ms = 200};
      *profile->add_points() = point_map(p);
    }
    PointSpec w{.name = "w_" + l.name, .table = v1::REGISTER_TABLE_HOLDING, .address = kWriteBase + l.offset,
                .type = l.type, .order = l.order, .writable = true};
    *profile->add_points() = point_map(w);
  }
  for (unsigned bit = 0; bit < 4; ++bit) {
    *profile->add_points() = point_map(PointSpec{.name = "co" + std::to_string(bit), .table = v1::REGISTER_TABLE_COIL,
                                                 .address = bit, .poll_ms = 200});
    *profile->add_points() = point_map(PointSpec{
        .name = "di" + std::to_string(bit), .table = v1::REGISTER_TABLE_DISCRETE, .address = bit, .poll_ms = 200});
  }
  *profile->add_points() = point_map(
      PointSpec{.name = "check", .table = v1::REGISTER_TABLE_HOLDING, .address = kTrigger, .writable = true});
  add_tcp_bus(v, "peer", port, 1000, 3);
  add_device(v, "lab", "peer", "peer", "peer", 1);
  auto venue = zones::Venue::create(std::move(v));
  RunningDevices running(venue);
  auto& io = running.io;
  auto& recorder = running.recorder;
  auto& devices = running.devices;

  // pymodbus encoded, atmo decodes.
  REQUIRE(run_until(io, [&] { return recorder.good("lab.peer.ir_f32_dcba") && recorder.good("lab.peer.di3") &&
                                     recorder.good("lab.peer.hr_f32_dcba") && recorder.good("lab.peer.co3"); }, 10s));
  for (const auto& l : layout()) {
    for (const char* table : {"hr_", "ir_"}) {
      const std::string id = std::string("lab.peer.") + table + l.name;
      CAPTURE(id);
      REQUIRE(recorder.good(id));
      CHECK(recorder.last(id)->value == read_value(l.type));
    }
  }
  const double bits[] = {1, 0, 1, 1};
  for (unsigned bit = 0; bit < 4; ++bit) {
    CHECK(recorder.last("lab.peer.co" + std::to_string(bit))->value == bits[bit]);
    CHECK(recorder.last("lab.peer.di" + std::to_string(bit))->value == bits[bit]);
  }

  // atmo encodes, pymodbus decodes.
  for (const auto& l : layout()) {
    REQUIRE(devices.set_desired(*venue->point("lab.peer.w_" + l.name), write_value(l.type)).ok());
  }
  REQUIRE(run_until(io, [&] {
    for (const auto& l : layout()) {
      if (!recorder.written_ok("lab.peer.w_" + l.name, write_value(l.type))) return false;
    }
    return true;
  }, 10s));
  for (const auto& w : recorder.writes) {
    CAPTURE(w.point);
    CHECK_FALSE(w.error.has_value());
  }
  REQUIRE(devices.set_desired(*venue->point("lab.peer.check"), 1).ok());
  std::size_t checked = 0;
  while (auto line = peer.read_line(10s)) {
    if (*line == "DONE") break;
    CAPTURE(*line);
    CHECK(line->find(" ok ") != std::string::npos);
    ++checked;
  }
  CHECK(checked == layout().size());
}
