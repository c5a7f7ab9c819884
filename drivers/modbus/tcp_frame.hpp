// Modbus TCP requests and replies framed by atmo itself, so that a reply is only ever taken for the
// request it answers. libmodbus 3.1.6 checks nothing but the transaction id of a TCP reply: a reply
// carrying another unit's data (a confused gateway) is accepted as good, and a late reply to an
// earlier request fails the next transaction instead of being skipped. Here a reply must match the
// transaction id, the unit id, the function and the size asked for; a late reply to one of the last
// requests is recognised as stale and skipped. Pure functions: ModbusConnection does the I/O.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace atmo::modbus::tcp {

inline constexpr std::uint8_t kReadCoils = 1;
inline constexpr std::uint8_t kReadDiscreteInputs = 2;
inline constexpr std::uint8_t kReadHoldingRegisters = 3;
inline constexpr std::uint8_t kReadInputRegisters = 4;
inline constexpr std::uint8_t kWriteSingleCoil = 5;
inline constexpr std::uint8_t kWriteSingleRegister = 6;
inline constexpr std::uint8_t kWriteMultipleCoils = 15;
inline constexpr std::uint8_t kWriteMultipleRegisters = 16;

/// One request. For reads `count` registers or bits from `address`; for writes `values` (registers,
/// or 0/1 per coil) from `address`.
struct Request {
  std::uint16_t transaction = 0;
  std::uint8_t unit = 0;
  std::uint8_t function = 0;
  std::uint16_t address = 0;
  std::uint16_t count = 0;
  std::vector<std::uint16_t> values;
};

/// The request as it goes on the wire: MBAP header and PDU.
std::vector<std::uint8_t> encode(const Request& request);
/// The same into `out` (cleared first), which keeps its capacity: a bus worker encodes every
/// request into one buffer instead of allocating one per request.
void encode(const Request& request, std::vector<std::uint8_t>& out);

enum class ReplyKind {
  ok,         ///< the answer to this request
  exception,  ///< the device refused it (exception_code says why)
  stale,      ///< a late answer to an earlier request: skip it and keep waiting
  garbage,    ///< not an answer to this request (another unit, function or size; broken header)
};

struct ReplyCheck {
  ReplyKind kind = ReplyKind::garbage;
  std::uint8_t exception_code = 0;
  std::string error;  ///< what is wrong with a garbage reply, for the device's health and the reading
};

/// Checks the unit and PDU of a reply against `request`, whatever carried them: over TCP what
/// follows the MBAP header's first six bytes, over RTU what lies between the frame's unit and its
/// (already checked) CRC. An RTU frame has no transaction id, so this is all that tells a reply to
/// this request from a late one to another. A read's values are written to `values`.
ReplyCheck check_pdu(const Request& request, std::uint8_t unit, std::span<const std::uint8_t> pdu,
                     std::span<std::uint16_t> values);

/// Checks a whole reply (MBAP header and PDU, as libmodbus's receive returns it) against `request`.
/// A reply whose transaction id is one of the `earlier` ids before the request's (requests sent
/// before it on the same connection, whose answers may still arrive late) is stale; any other id is
/// garbage. A read's values are written to `values` (count entries; bits as 0/1).
ReplyCheck check_reply(const Request& request, std::span<const std::uint8_t> reply, std::uint16_t earlier,
                       std::span<std::uint16_t> values);

}  // namespace atmo::modbus::tcp
