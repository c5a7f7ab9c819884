// Table tests for the register codec: every type in every word order, scale and offset, bit fields,
// coils, range checks and the errors a profile author can run into.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "drivers/modbus/register_codec.hpp"
#include "test_venue.hpp"

using namespace atmo;
using namespace atmo::modbus;
using atmo::modbus::test::PointSpec;
using atmo::modbus::test::point_map;

namespace {

struct Row {
  v1::ValueType type;
  v1::WordOrder order;
  std::vector<std::uint16_t> words;
  double value;
};

// Distinct bytes A B C D make every order's layout visible.
const std::vector<Row> kRows = {
    {v1::VALUE_TYPE_U32, v1::WORD_ORDER_ABCD, {0x1122, 0x3344}, 0x11223344},
    {v1::VALUE_TYPE_U32, v1::WORD_ORDER_CDAB, {0x3344, 0x1122}, 0x11223344},
    {v1::VALUE_TYPE_U32, v1::WORD_ORDER_BADC, {0x2211, 0x4433}, 0x11223344},
    {v1::VALUE_TYPE_U32, v1::WORD_ORDER_DCBA, {0x4433, 0x2211}, 0x11223344},
    {v1::VALUE_TYPE_U32, v1::WORD_ORDER_UNSPECIFIED, {0x1122, 0x3344}, 0x11223344},
    {v1::VALUE_TYPE_I32, v1::WORD_ORDER_ABCD, {0xFFFF, 0xFFFE}, -2},
    {v1::VALUE_TYPE_I32, v1::WORD_ORDER_CDAB, {0xFFFE, 0xFFFF}, -2},
    {v1::VALUE_TYPE_I32, v1::WORD_ORDER_BADC, {0xFFFF, 0xFEFF}, -2},
    {v1::VALUE_TYPE_I32, v1::WORD_ORDER_DCBA, {0xFEFF, 0xFFFF}, -2},
    {v1::VALUE_TYPE_I32, v1::WORD_ORDER_ABCD, {0x8000, 0x0000}, -2147483648.0},
    {v1::VALUE_TYPE_I32, v1::WORD_ORDER_CDAB, {0x5678, 0x1234}, 0x12345678},
    // 123.456f is 0x42F6E979.
    {v1::VALUE_TYPE_F32, v1::WORD_ORDER_ABCD, {0x42F6, 0xE979}, static_cast<double>(123.456f)},
    {v1::VALUE_TYPE_F32, v1::WORD_ORDER_CDAB, {0xE979, 0x42F6}, static_cast<double>(123.456f)},
    {v1::VALUE_TYPE_F32, v1::WORD_ORDER_BADC, {0xF642, 0x79E9}, static_cast<double>(123.456f)},
    {v1::VALUE_TYPE_F32, v1::WORD_ORDER_DCBA, {0x79E9, 0xF642}, static_cast<double>(123.456f)},
    // -1.5f is 0xBFC00000.
    {v1::VALUE_TYPE_F32, v1::WORD_ORDER_ABCD, {0xBFC0, 0x0000}, -1.5},
    {v1::VALUE_TYPE_F32, v1::WORD_ORDER_DCBA, {0x0000, 0xC0BF}, -1.5},
    {v1::VALUE_TYPE_U16, v1::WORD_ORDER_ABCD, {0xFFFF}, 65535},
    {v1::VALUE_TYPE_U16, v1::WORD_ORDER_DCBA, {0x1234}, 0x1234},  // order is for 32-bit values only
    {v1::VALUE_TYPE_I16, v1::WORD_ORDER_ABCD, {0xFFFF}, -1},
    {v1::VALUE_TYPE_I16, v1::WORD_ORDER_ABCD, {0x8000}, -32768},
    {v1::VALUE_TYPE_I16, v1::WORD_ORDER_ABCD, {0x7FFF}, 32767},
};

v1::PointMap typed(v1::ValueType type, v1::WordOrder order) {
  PointSpec spec;
  spec.name = "p";
  spec.type = type;
  spec.order = order;
  return point_map(spec);
}

}  // namespace

TEST_CASE("decode reads every type in every word order", "[codec]") {
  for (const auto& row : kRows) {
    CAPTURE(type_name(row.type), order_name(row.order), row.words);
    const auto map = typed(row.type, row.order);
    REQUIRE(register_count(map) == row.words.size());
    auto value = decode(map, row.words);
    REQUIRE(value.ok());
    CHECK(*value == row.value);
  }
}

TEST_CASE("encode writes every type in every word order", "[codec]") {
  for (const auto& row : kRows) {
    CAPTURE(type_name(row.type), order_name(row.order), row.value);
    auto words = encode(typed(row.type, row.order), row.value);
    REQUIRE(words.ok());
    CHECK(std::vector<std::uint16_t>(words->span().begin(), words->span().end()) == row.words);
  }
}

TEST_CASE("scale and offset round-trip for every type and order", "[codec]") {
  const v1::ValueType types[] = {v1::VALUE_TYPE_U16, v1::VALUE_TYPE_I16, v1::VALUE_TYPE_U32, v1::VALUE_TYPE_I32,
                                 v1::VALUE_TYPE_F32};
  const v1::WordOrder orders[] = {v1::WORD_ORDER_ABCD, v1::WORD_ORDER_CDAB, v1::WORD_ORDER_BADC,
                                  v1::WORD_ORDER_DCBA};
  for (auto type : types) {
    for (auto order : orders) {
      PointSpec spec;
      spec.name = "t";
      spec.type = type;
      spec.order = order;
      spec.scale = 0.1;
      spec.offset = -40;
      const auto map = point_map(spec);
      for (double v : {-40.0, -12.3, 0.0, 21.5, 60.0}) {
        CAPTURE(type_name(type), order_name(order), v);
        auto words = encode(map, v);
        REQUIRE(words.ok());
        auto back = decode(map, words->span());
        REQUIRE(back.ok());
        CHECK(*back == Approx(v).margin(1e-4));
      }
    }
  }
}

TEST_CASE("scale and offset map raw registers to engineering values", "[codec]") {
  PointSpec spec;
  spec.name = "temperature";
  spec.type = v1::VALUE_TYPE_I16;
  spec.scale = 0.1;
  const auto t = point_map(spec);
  const std::uint16_t minus_20[] = {0xFF38};  // -200
  CHECK(*decode(t, minus_20) == Approx(-20.0));

  spec.type = v1::VALUE_TYPE_U16;
  spec.offset = -10;
  const auto u = point_map(spec);
  const std::uint16_t raw[] = {215};
  CHECK(*decode(u, raw) == Approx(11.5));
  auto words = encode(u, 11.5);
  REQUIRE(words.ok());
  CHECK(words->words[0] == 215);
}

TEST_CASE("integer encodings round to the nearest step", "[codec]") {
  PointSpec spec;
  spec.name = "level";
  spec.scale = 0.5;
  const auto map = point_map(spec);
  CHECK(encode(map, 10.2)->words[0] == 20);
  CHECK(encode(map, 10.3)->words[0] == 21);
}

TEST_CASE("bit fields read one bit of a holding or input register", "[codec]") {
  for (auto table : {v1::REGISTER_TABLE_HOLDING, v1::REGISTER_TABLE_INPUT}) {
    PointSpec spec;
    spec.name = "alarm";
    spec.table = table;
    const std::uint16_t word[] = {0b1000'0000'0000'1010};
    for (unsigned bit = 0; bit < 16; ++bit) {
      spec.bit = bit;
      const auto map = point_map(spec);
      CAPTURE(table_name(table), bit);
      CHECK(effective_type(map) == v1::VALUE_TYPE_BOOL);
      CHECK(register_count(map) == 1);
      CHECK(*decode(map, word) == ((word[0] >> bit) & 1u));
    }
  }
}

TEST_CASE("a bit inside a register cannot be written on its own", "[codec]") {
  PointSpec spec;
  spec.name = "flag";
  spec.bit = 3;
  auto r = encode(point_map(spec), 1);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains("write the whole register"));
}

TEST_CASE("coils and discrete inputs decode as 0/1 and coils encode", "[codec]") {
  for (auto table : {v1::REGISTER_TABLE_COIL, v1::REGISTER_TABLE_DISCRETE}) {
    PointSpec spec;
    spec.name = "on";
    spec.table = table;
    spec.type = v1::VALUE_TYPE_UNSPECIFIED;
    const auto map = point_map(spec);
    CAPTURE(table_name(table));
    CHECK(effective_type(map) == v1::VALUE_TYPE_BOOL);
    const std::uint16_t on[] = {1};
    const std::uint16_t off[] = {0};
    CHECK(*decode(map, on) == 1);
    CHECK(*decode(map, off) == 0);
    CHECK(encode(map, 1)->words[0] == 1);
    CHECK(encode(map, 0)->words[0] == 0);
    CHECK(encode(map, 1)->count == 1);
  }
}

TEST_CASE("encode refuses values outside the range or the register", "[codec]") {
  PointSpec spec;
  spec.name = "level";
  spec.range = std::pair{0.0, 100.0};
  const auto ranged = point_map(spec);
  CHECK(encode(ranged, 100).ok());
  auto over = encode(ranged, 100.5);
  REQUIRE_FALSE(over.ok());
  CHECK_THAT(over.error().message, Catch::Contains("outside its range 0..100"));
  CHECK(in_range(ranged, 0));
  CHECK_FALSE(in_range(ranged, -0.1));

  const auto u16 = typed(v1::VALUE_TYPE_U16, v1::WORD_ORDER_ABCD);
  auto negative = encode(u16, -1);
  REQUIRE_FALSE(negative.ok());
  CHECK_THAT(negative.error().message, Catch::Contains("does not fit a u16 register"));
  CHECK_FALSE(encode(u16, 65536).ok());
  CHECK_FALSE(encode(typed(v1::VALUE_TYPE_I16, v1::WORD_ORDER_ABCD), 32768).ok());
  CHECK_FALSE(encode(typed(v1::VALUE_TYPE_U32, v1::WORD_ORDER_ABCD), 4294967296.0).ok());
  CHECK_FALSE(encode(typed(v1::VALUE_TYPE_F32, v1::WORD_ORDER_ABCD), 1e39).ok());
  CHECK_FALSE(encode(u16, std::nan("")).ok());
}

TEST_CASE("decode reports too few registers instead of reading past them", "[codec]") {
  const std::uint16_t one[] = {1};
  auto r = decode(typed(v1::VALUE_TYPE_F32, v1::WORD_ORDER_ABCD), one);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains("needs 2 register(s), got 1"));
}

TEST_CASE("names used in profiles and messages", "[codec]") {
  CHECK(table_name(v1::REGISTER_TABLE_HOLDING) == "holding");
  CHECK(table_name(v1::REGISTER_TABLE_DISCRETE) == "discrete");
  CHECK(type_name(v1::VALUE_TYPE_F32) == "f32");
  CHECK(order_name(v1::WORD_ORDER_BADC) == "badc");
  CHECK(order_name(v1::WORD_ORDER_UNSPECIFIED) == "abcd");
}
