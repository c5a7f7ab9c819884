#include "drivers/modbus/tcp_frame.hpp"

#include <algorithm>

namespace atmo::modbus::tcp {
namespace {

constexpr std::size_t kHeader = 7;  // transaction, protocol, length (2 bytes each), unit

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

std::uint16_t get16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

bool is_read(std::uint8_t function) { return function >= kReadCoils && function <= kReadInputRegisters; }
bool is_bits(std::uint8_t function) {
  return function == kReadCoils || function == kReadDiscreteInputs || function == kWriteMultipleCoils;
}

ReplyCheck garbage(std::string error) { return ReplyCheck{ReplyKind::garbage, 0, std::move(error)}; }

}  // namespace

void encode(const Request& r, std::vector<std::uint8_t>& out) {
  out.clear();
  put16(out, r.transaction);
  put16(out, 0);  // protocol: Modbus
  put16(out, 0);  // length: set below, once the PDU is in
  out.push_back(r.unit);
  out.push_back(r.function);
  put16(out, r.address);
  if (is_read(r.function)) {
    put16(out, r.count);
  } else if (r.function == kWriteSingleCoil) {
    put16(out, !r.values.empty() && r.values[0] != 0 ? 0xFF00 : 0x0000);
  } else if (r.function == kWriteSingleRegister) {
    put16(out, r.values.empty() ? 0 : r.values[0]);
  } else if (r.function == kWriteMultipleCoils) {
    const auto n = static_cast<std::uint16_t>(r.values.size());
    put16(out, n);
    out.push_back(static_cast<std::uint8_t>((n + 7) / 8));
    for (std::size_t byte = 0; byte < (n + 7u) / 8u; ++byte) {
      std::uint8_t bits = 0;
      for (std::size_t b = 0; b < 8 && byte * 8 + b < n; ++b) {
        if (r.values[byte * 8 + b] != 0) bits = static_cast<std::uint8_t>(bits | (1u << b));
      }
      out.push_back(bits);
    }
  } else if (r.function == kWriteMultipleRegisters) {
    const auto n = static_cast<std::uint16_t>(r.values.size());
    put16(out, n);
    out.push_back(static_cast<std::uint8_t>(2 * n));
    for (auto v : r.values) put16(out, v);
  }
  const auto length = static_cast<std::uint16_t>(out.size() - 6);  // unit id and PDU
  out[4] = static_cast<std::uint8_t>(length >> 8);
  out[5] = static_cast<std::uint8_t>(length & 0xFF);
}

std::vector<std::uint8_t> encode(const Request& request) {
  std::vector<std::uint8_t> out;
  encode(request, out);
  return out;
}

ReplyCheck check_reply(const Request& r, std::span<const std::uint8_t> reply, std::uint16_t earlier,
                       std::span<std::uint16_t> values) {
  if (reply.size() < kHeader + 2) return garbage("reply of " + std::to_string(reply.size()) + " bytes is too short");
  const std::uint16_t transaction = get16(reply, 0);
  if (get16(reply, 2) != 0) return garbage("reply is not Modbus (protocol id " + std::to_string(get16(reply, 2)) + ")");
  if (get16(reply, 4) != reply.size() - 6) return garbage("reply length field does not match its size");
  if (transaction != r.transaction) {
    const auto age = static_cast<std::uint16_t>(r.transaction - transaction);  // wraps like the ids do
    if (age >= 1 && age <= earlier) return ReplyCheck{ReplyKind::stale, 0, {}};
    return garbage("reply to transaction " + std::to_string(transaction) + ", not " + std::to_string(r.transaction));
  }
  return check_pdu(r, reply[6], reply.subspan(kHeader), values);
}

ReplyCheck check_pdu(const Request& r, std::uint8_t unit, std::span<const std::uint8_t> pdu,
                     std::span<std::uint16_t> values) {
  if (unit != r.unit) {
    return garbage("reply from unit " + std::to_string(unit) + " to a request for unit " + std::to_string(r.unit));
  }
  if (pdu.size() < 2) return garbage("reply of " + std::to_string(pdu.size()) + " bytes is too short");
  if (pdu[0] == (r.function | 0x80)) {
    if (pdu.size() != 2) return garbage("exception reply of the wrong size");
    return ReplyCheck{ReplyKind::exception, pdu[1], {}};
  }
  if (pdu[0] != r.function) {
    return garbage("reply for function " + std::to_string(pdu[0]) + " to a request for function " +
                   std::to_string(r.function));
  }
  if (is_read(r.function)) {
    const std::size_t bytes = is_bits(r.function) ? (r.count + 7u) / 8u : 2u * r.count;
    if (pdu[1] != bytes || pdu.size() != 2 + bytes || values.size() < r.count) {
      return garbage("reply carries " + std::to_string(pdu.size() - 2) + " data bytes, not the " +
                     std::to_string(bytes) + " asked for");
    }
    for (std::size_t i = 0; i < r.count; ++i) {
      values[i] = is_bits(r.function) ? static_cast<std::uint16_t>((pdu[2 + i / 8] >> (i % 8)) & 1u)
                                      : get16(pdu, 2 + 2 * i);
    }
    return ReplyCheck{ReplyKind::ok, 0, {}};
  }
  // A write is answered by an echo of its address and value (single) or address and count (multiple).
  if (pdu.size() != 5) return garbage("write reply of the wrong size");
  const auto request = encode(r);
  if (!std::equal(pdu.begin(), pdu.end(), request.begin() + kHeader)) {
    return garbage("write reply does not echo the request");
  }
  return ReplyCheck{ReplyKind::ok, 0, {}};
}

}  // namespace atmo::modbus::tcp
