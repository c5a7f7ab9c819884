// Modbus TCP framing (drivers/modbus/tcp_frame): requests on the wire as the spec lays them out,
// and a reply taken only for the request it answers: same transaction, unit, function and size.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "drivers/modbus/tcp_frame.hpp"

using namespace atmo::modbus;

namespace {

tcp::Request read_request(std::uint16_t tid, std::uint8_t unit, std::uint8_t function, std::uint16_t address,
                          std::uint16_t count) {
  tcp::Request r;
  r.transaction = tid;
  r.unit = unit;
  r.function = function;
  r.address = address;
  r.count = count;
  return r;
}

std::vector<std::uint8_t> frame(std::uint16_t tid, std::uint8_t unit, std::vector<std::uint8_t> pdu) {
  // Built byte by byte: GCC 12 warns falsely (array-bounds) about inserting a range here.
  std::vector<std::uint8_t> out;
  out.reserve(7 + pdu.size());
  for (std::uint8_t b : {static_cast<std::uint8_t>(tid >> 8), static_cast<std::uint8_t>(tid & 0xFF), std::uint8_t{0},
                         std::uint8_t{0}, std::uint8_t{0}, static_cast<std::uint8_t>(pdu.size() + 1), unit}) {
    out.push_back(b);
  }
  for (std::uint8_t b : pdu) out.push_back(b);
  return out;
}

}  // namespace

TEST_CASE("requests are framed as the Modbus TCP spec lays them out", "[tcp]") {
  CHECK(tcp::encode(read_request(0x1234, 17, tcp::kReadHoldingRegisters, 40, 2)) ==
        std::vector<std::uint8_t>{0x12, 0x34, 0, 0, 0, 6, 17, 3, 0, 40, 0, 2});
  tcp::Request coils = read_request(1, 2, tcp::kWriteMultipleCoils, 19, 0);
  coils.values = {1, 0, 1, 1, 0, 0, 1, 1, 1, 0};
  // 10 coils: CD 01 as in the spec's example (bits from the least significant up).
  CHECK(tcp::encode(coils) == std::vector<std::uint8_t>{0, 1, 0, 0, 0, 9, 2, 15, 0, 19, 0, 10, 2, 0xCD, 0x01});
  tcp::Request registers = read_request(2, 3, tcp::kWriteMultipleRegisters, 1, 0);
  registers.values = {0x000A, 0x0102};
  CHECK(tcp::encode(registers) == std::vector<std::uint8_t>{0, 2, 0, 0, 0, 11, 3, 16, 0, 1, 0, 2, 4, 0, 0x0A, 1, 2});
  tcp::Request coil = read_request(3, 4, tcp::kWriteSingleCoil, 172, 0);
  coil.values = {1};
  CHECK(tcp::encode(coil) == std::vector<std::uint8_t>{0, 3, 0, 0, 0, 6, 4, 5, 0, 172, 0xFF, 0});

  // Into one reused buffer, a long frame then shorter ones: each is exactly what a fresh one is.
  std::vector<std::uint8_t> buffer;
  for (const auto* r : {&registers, &coil, &coils}) {
    tcp::encode(*r, buffer);
    CHECK(buffer == tcp::encode(*r));
  }
}

TEST_CASE("the reply to the request is read; another unit's, another function's or a short one is garbage", "[tcp]") {
  const auto req = read_request(7, 5, tcp::kReadInputRegisters, 0, 2);
  std::vector<std::uint16_t> values(2);
  auto ok = tcp::check_reply(req, frame(7, 5, {4, 4, 0x00, 0xCA, 0x0B, 0xB9}), 0, values);
  CHECK(ok.kind == tcp::ReplyKind::ok);
  CHECK(values == std::vector<std::uint16_t>{202, 3001});

  auto other_unit = tcp::check_reply(req, frame(7, 6, {4, 4, 0, 1, 0, 2}), 0, values);
  CHECK(other_unit.kind == tcp::ReplyKind::garbage);
  CHECK(other_unit.error == "reply from unit 6 to a request for unit 5");
  CHECK(values == std::vector<std::uint16_t>{202, 3001});  // untouched
  CHECK(tcp::check_reply(req, frame(7, 5, {3, 4, 0, 1, 0, 2}), 0, values).kind == tcp::ReplyKind::garbage);
  CHECK(tcp::check_reply(req, frame(7, 5, {4, 2, 0, 1}), 0, values).kind == tcp::ReplyKind::garbage);
  auto broken_length = frame(7, 5, {4, 4, 0, 1, 0, 2});
  broken_length[5] = 9;
  CHECK(tcp::check_reply(req, broken_length, 0, values).kind == tcp::ReplyKind::garbage);
  CHECK(tcp::check_reply(req, std::vector<std::uint8_t>{0, 7, 0, 0}, 0, values).kind == tcp::ReplyKind::garbage);
}

TEST_CASE("a late reply to one of the last requests is stale; an unknown transaction is garbage", "[tcp]") {
  const auto req = read_request(20, 1, tcp::kReadHoldingRegisters, 0, 1);
  std::vector<std::uint16_t> values(1);
  CHECK(tcp::check_reply(req, frame(18, 1, {3, 2, 0, 9}), 3, values).kind == tcp::ReplyKind::stale);
  CHECK(tcp::check_reply(req, frame(17, 1, {3, 2, 0, 9}), 3, values).kind == tcp::ReplyKind::stale);
  CHECK(tcp::check_reply(req, frame(16, 1, {3, 2, 0, 9}), 3, values).kind == tcp::ReplyKind::garbage);  // not sent here
  CHECK(tcp::check_reply(req, frame(21, 1, {3, 2, 0, 9}), 3, values).kind == tcp::ReplyKind::garbage);  // not yet sent
  CHECK(tcp::check_reply(req, frame(0x5569, 1, {3, 2, 0, 9}), 1024, values).kind == tcp::ReplyKind::garbage);
  CHECK(values[0] == 0);
  // Transaction ids wrap: 65535 was sent just before 0.
  const auto wrapped = read_request(0, 1, tcp::kReadHoldingRegisters, 0, 1);
  CHECK(tcp::check_reply(wrapped, frame(65535, 1, {3, 2, 0, 9}), 3, values).kind == tcp::ReplyKind::stale);
}

TEST_CASE("exception replies carry their code; bits unpack least significant first; writes must echo", "[tcp]") {
  std::vector<std::uint16_t> values(10);
  const auto exception = tcp::check_reply(read_request(1, 1, tcp::kReadHoldingRegisters, 0, 1), frame(1, 1, {0x83, 2}),
                                          {}, values);
  CHECK(exception.kind == tcp::ReplyKind::exception);
  CHECK(exception.exception_code == 2);
  const auto bits = tcp::check_reply(read_request(2, 1, tcp::kReadCoils, 19, 10), frame(2, 1, {1, 2, 0xCD, 0x01}), {},
                                     values);
  CHECK(bits.kind == tcp::ReplyKind::ok);
  CHECK(values == std::vector<std::uint16_t>{1, 0, 1, 1, 0, 0, 1, 1, 1, 0});

  tcp::Request write = read_request(3, 1, tcp::kWriteSingleRegister, 1, 0);
  write.values = {550};
  CHECK(tcp::check_reply(write, frame(3, 1, {6, 0, 1, 0x02, 0x26}), 0, {}).kind == tcp::ReplyKind::ok);
  CHECK(tcp::check_reply(write, frame(3, 1, {6, 0, 1, 0x02, 0x27}), 0, {}).kind == tcp::ReplyKind::garbage);
  tcp::Request many = read_request(4, 1, tcp::kWriteMultipleRegisters, 0, 0);
  many.values = {1, 2, 3};
  CHECK(tcp::check_reply(many, frame(4, 1, {16, 0, 0, 0, 3}), 0, {}).kind == tcp::ReplyKind::ok);
  CHECK(tcp::check_reply(many, frame(4, 1, {16, 0, 0, 0, 2}), 0, {}).kind == tcp::ReplyKind::garbage);
}
