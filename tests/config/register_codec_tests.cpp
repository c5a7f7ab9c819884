// Table tests of the register codec in the foundation: every type in every word order, scale,
// offset, bits and range checks. (The Modbus driver's own tests exercise it against real peers.)
#include <catch2/catch.hpp>

#include <cmath>

#include "drivers/modbus/register_codec.hpp"

using namespace atmo;

namespace {

v1::PointMap point(v1::ValueType type, v1::WordOrder order = v1::WORD_ORDER_ABCD, double scale = 1, double offset = 0) {
  v1::PointMap p;
  p.set_name("p");
  p.set_table(v1::REGISTER_TABLE_HOLDING);
  p.set_type(type);
  p.set_order(order);
  p.set_scale(scale);
  p.set_offset(offset);
  return p;
}

std::vector<std::uint16_t> words(const modbus::RawWords& raw) { return {raw.span().begin(), raw.span().end()}; }

}  // namespace

TEST_CASE("32-bit values are reassembled in all four word orders") {
  // 0x12345678 = 305419896; bytes A=12 B=34 C=56 D=78.
  struct Row {
    v1::WordOrder order;
    std::vector<std::uint16_t> regs;
  };
  const std::vector<Row> rows{{v1::WORD_ORDER_ABCD, {0x1234, 0x5678}},
                              {v1::WORD_ORDER_CDAB, {0x5678, 0x1234}},
                              {v1::WORD_ORDER_BADC, {0x3412, 0x7856}},
                              {v1::WORD_ORDER_DCBA, {0x7856, 0x3412}}};
  for (const auto& row : rows) {
    INFO(modbus::order_name(row.order));
    auto p = point(v1::VALUE_TYPE_U32, row.order);
    CHECK(*modbus::decode(p, row.regs) == 305419896.0);
    auto raw = modbus::encode(p, 305419896.0);
    REQUIRE(raw.ok());
    CHECK(words(*raw) == row.regs);
  }
}

TEST_CASE("f32, i32 and i16 decode with sign and word order") {
  // 42.5f = 0x422A0000
  CHECK(*modbus::decode(point(v1::VALUE_TYPE_F32), std::vector<std::uint16_t>{0x422A, 0x0000}) == 42.5);
  CHECK(*modbus::decode(point(v1::VALUE_TYPE_F32, v1::WORD_ORDER_CDAB), std::vector<std::uint16_t>{0x0000, 0x422A}) == 42.5);
  CHECK(*modbus::decode(point(v1::VALUE_TYPE_F32, v1::WORD_ORDER_DCBA), std::vector<std::uint16_t>{0x0000, 0x2A42}) == 42.5);
  CHECK(*modbus::decode(point(v1::VALUE_TYPE_F32, v1::WORD_ORDER_BADC), std::vector<std::uint16_t>{0x2A42, 0x0000}) == 42.5);
  CHECK(*modbus::decode(point(v1::VALUE_TYPE_I32), std::vector<std::uint16_t>{0xFFFF, 0xFFFE}) == -2.0);
  CHECK(*modbus::decode(point(v1::VALUE_TYPE_I16), std::vector<std::uint16_t>{0x8000}) == -32768.0);
  CHECK(*modbus::decode(point(v1::VALUE_TYPE_U16), std::vector<std::uint16_t>{0x8000}) == 32768.0);
}

TEST_CASE("scale and offset apply both ways") {
  auto p = point(v1::VALUE_TYPE_I16, v1::WORD_ORDER_ABCD, 0.1, -40);  // raw 0..1650 -> -40..125
  CHECK(*modbus::decode(p, std::vector<std::uint16_t>{635}) == Approx(23.5));
  auto raw = modbus::encode(p, 23.5);
  REQUIRE(raw.ok());
  CHECK(words(*raw) == std::vector<std::uint16_t>{635});
}

TEST_CASE("bits come out of coils and out of register bit fields") {
  v1::PointMap coil;
  coil.set_name("c");
  coil.set_table(v1::REGISTER_TABLE_COIL);
  CHECK(modbus::register_count(coil) == 1);
  CHECK(*modbus::decode(coil, std::vector<std::uint16_t>{1}) == 1.0);
  CHECK(words(*modbus::encode(coil, 1)) == std::vector<std::uint16_t>{1});

  v1::PointMap flag;
  flag.set_name("f");
  flag.set_table(v1::REGISTER_TABLE_INPUT);
  flag.set_bit(3);
  CHECK(*modbus::decode(flag, std::vector<std::uint16_t>{0x0008}) == 1.0);
  CHECK(*modbus::decode(flag, std::vector<std::uint16_t>{0xFFF7}) == 0.0);
}

TEST_CASE("values that do not fit are refused with a reason, never truncated") {
  auto p = point(v1::VALUE_TYPE_U16);
  p.mutable_range()->set_min(0);
  p.mutable_range()->set_max(100);
  auto too_big = modbus::encode(p, 120);
  REQUIRE_FALSE(too_big.ok());
  CHECK(too_big.error().message == "value 120 for 'p' is outside its range 0..100");
  CHECK_FALSE(modbus::encode(point(v1::VALUE_TYPE_U16), -1).ok());
  CHECK_FALSE(modbus::encode(point(v1::VALUE_TYPE_I16), 40000).ok());
  CHECK_FALSE(modbus::encode(point(v1::VALUE_TYPE_F32), std::nan("")).ok());
  CHECK_FALSE(modbus::decode(point(v1::VALUE_TYPE_U32), std::vector<std::uint16_t>{1}).ok());
  CHECK(modbus::in_range(p, 100));
  CHECK_FALSE(modbus::in_range(p, 100.5));
}
