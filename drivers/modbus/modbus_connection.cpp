#include "drivers/modbus/modbus_connection.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include <modbus/modbus.h>

namespace atmo::modbus {
namespace {

constexpr std::chrono::milliseconds kMaxConnectTimeout{500};

void set_timeout(modbus_t* ctx, std::chrono::milliseconds t) {
  const auto ms = static_cast<std::uint32_t>(std::max<std::int64_t>(t.count(), 1));
  modbus_set_response_timeout(ctx, ms / 1000, (ms % 1000) * 1000);
}

char parity_char(v1::Parity parity) {
  switch (parity) {
    case v1::PARITY_EVEN: return 'E';
    case v1::PARITY_ODD: return 'O';
    default: return 'N';
  }
}

}  // namespace

TxStatus classify_errno(int error) {
  std::string text = modbus_strerror(error);
  if (error == EMBXGPATH || error == EMBXGTAR) return {TxKind::timeout, text};  // the gateway's target is silent
  if (error > MODBUS_ENOBASE && error < EMBXGPATH) return {TxKind::exception, text};
  if (error >= EMBBADCRC && error <= EMBBADSLAVE) return {TxKind::garbage, text};
  if (error == ETIMEDOUT) return {TxKind::timeout, text};
  return {TxKind::link, text};
}

std::chrono::microseconds inter_frame_gap(const v1::ModbusRtu& rtu) {
  const unsigned baud = rtu.baud() > 0 ? rtu.baud() : 9600;
  if (rtu.inter_frame_gap_us() > 0) return std::chrono::microseconds(rtu.inter_frame_gap_us());
  if (baud > 19200) return std::chrono::microseconds(1750);
  const unsigned data_bits = rtu.data_bits() > 0 ? rtu.data_bits() : 8;
  const unsigned stop_bits = rtu.stop_bits() > 0 ? rtu.stop_bits() : 1;
  const unsigned parity_bits = parity_char(rtu.parity()) == 'N' ? 0 : 1;
  const unsigned bits_per_char = 1 + data_bits + parity_bits + stop_bits;
  // 3.5 characters = 7 half-characters; round up so the gap is never shorter than the spec's.
  const std::uint64_t half_chars = 7ull * bits_per_char * 1'000'000ull;
  return std::chrono::microseconds((half_chars + 2ull * baud - 1) / (2ull * baud));
}

std::string describe(const v1::Bus& bus) {
  if (bus.has_rtu()) {
    const auto& r = bus.rtu();
    return "rtu://" + r.device() + "?baud=" + std::to_string(r.baud() > 0 ? r.baud() : 9600) +
           "&parity=" + std::string(1, parity_char(r.parity()));
  }
  if (bus.has_tcp()) {
    return "tcp://" + bus.tcp().host() + ":" + std::to_string(bus.tcp().port() > 0 ? bus.tcp().port() : 502);
  }
  return "bus " + bus.id() + " (no transport)";
}

Result<std::unique_ptr<ModbusConnection>> ModbusConnection::create(const v1::Bus& bus,
                                                                   std::chrono::milliseconds response_timeout) {
  modbus_t* ctx = nullptr;
  if (bus.has_tcp()) {
    const unsigned port = bus.tcp().port() > 0 ? bus.tcp().port() : 502;
    ctx = modbus_new_tcp_pi(bus.tcp().host().c_str(), std::to_string(port).c_str());
  } else if (bus.has_rtu()) {
    const auto& r = bus.rtu();
    ctx = modbus_new_rtu(r.device().c_str(), static_cast<int>(r.baud() > 0 ? r.baud() : 9600), parity_char(r.parity()),
                         static_cast<int>(r.data_bits() > 0 ? r.data_bits() : 8),
                         static_cast<int>(r.stop_bits() > 0 ? r.stop_bits() : 1));
  } else {
    return make_error("bus '" + bus.id() + "' has neither a tcp nor an rtu transport");
  }
  if (!ctx) return make_error("cannot set up " + describe(bus) + ": " + modbus_strerror(errno));
  // Recovery is ours (reconnect with backoff); libmodbus's LINK mode retries without bound.
  modbus_set_error_recovery(ctx, MODBUS_ERROR_RECOVERY_NONE);
  const auto quiet = bus.has_rtu() ? std::max(inter_frame_gap(bus.rtu()), std::chrono::microseconds(1000))
                                    : std::chrono::microseconds(1000);
  return std::unique_ptr<ModbusConnection>(new ModbusConnection(ctx, bus.has_rtu(), response_timeout, quiet));
}

ModbusConnection::ModbusConnection(modbus_t* ctx, bool rtu, std::chrono::milliseconds response_timeout,
                                   std::chrono::microseconds quiet_gap)
    : ctx_(ctx), rtu_(rtu), response_timeout_(response_timeout), quiet_gap_(quiet_gap) {
  set_timeout(ctx_, response_timeout_);
  // A reply's bytes follow each other closely; a long gap inside one means a broken frame.
  const auto byte_ms = static_cast<std::uint32_t>(std::min<std::int64_t>(response_timeout_.count(), 500));
  modbus_set_byte_timeout(ctx_, byte_ms / 1000, (byte_ms % 1000) * 1000);
}

ModbusConnection::~ModbusConnection() {
  close();
  modbus_free(ctx_);
}

TxStatus ModbusConnection::connect() {
  close();
  set_timeout(ctx_, std::min(response_timeout_, kMaxConnectTimeout));
  const int rc = modbus_connect(ctx_);
  const int error = errno;
  set_timeout(ctx_, response_timeout_);
  if (rc == -1) {
    modbus_close(ctx_);
    return {TxKind::link, modbus_strerror(error)};
  }
  const int fd = modbus_get_socket(ctx_);
  if (fd > kMaxSafeDescriptor) {
    modbus_close(ctx_);
    return {TxKind::link, "file descriptor " + std::to_string(fd) +
                              " is too high for libmodbus 3.1.6 (select() handles only 0..1023); "
                              "close other files or raise the limit differently"};
  }
  {
    std::lock_guard lock(fd_mutex_);
    fd_ = fd;
  }
  connected_ = true;
  sent_ = 0;  // nothing sent on this connection can still answer
  // A serial line keeps what arrived while nobody listened (a reply meant for the last program
  // that had it open); libmodbus 3.1.6 opens it without flushing.
  if (rtu_) drain_line();
  return {};
}

void ModbusConnection::close() {
  std::lock_guard lock(fd_mutex_);
  fd_ = -1;
  if (connected_) modbus_close(ctx_);
  connected_ = false;
}

void ModbusConnection::shutdown_now() {
  std::lock_guard lock(fd_mutex_);
  if (!rtu_ && fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

TxStatus ModbusConnection::fail(int error) {
  TxStatus status = classify_errno(error);
  if (status.kind == TxKind::link) {
    close();
  } else if (status.kind == TxKind::timeout || status.kind == TxKind::garbage) {
    // A late or partial reply would otherwise be taken as the answer to the next request.
    modbus_flush(ctx_);
  }
  return status;
}

TxStatus ModbusConnection::transact(tcp::Request request, std::span<std::uint16_t> values) {
  return rtu_ ? transact_rtu(request, values) : transact_tcp(std::move(request), values);
}

TxStatus ModbusConnection::transact_tcp(tcp::Request request, std::span<std::uint16_t> values) {
  request.transaction = ++transaction_;
  tcp::encode(request, frame_);
  const auto& frame = frame_;
  const int fd = modbus_get_socket(ctx_);
  for (std::size_t done = 0; done < frame.size();) {
    const ssize_t n = ::send(fd, frame.data() + done, frame.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(n < 0 ? errno : ECONNRESET);
    done += static_cast<std::size_t>(n);
  }
  const auto deadline = std::chrono::steady_clock::now() + response_timeout_;
  std::array<std::uint8_t, MODBUS_TCP_MAX_ADU_LENGTH> reply{};
  TxStatus status;
  unsigned discarded = 0;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      status = fail(ETIMEDOUT);
      break;
    }
    // The whole transaction keeps to the response timeout, however many stale replies come first.
    set_timeout(ctx_, left);
    const int rc = modbus_receive_confirmation(ctx_, reply.data());
    const int error = errno;
    if (rc == -1) {
      status = fail(error);
      break;
    }
    const auto check = tcp::check_reply(
        request, std::span<const std::uint8_t>(reply.data(), static_cast<std::size_t>(rc)), sent_, values);
    if (check.kind == tcp::ReplyKind::stale) {  // a late answer to an earlier request
      ++discarded;
      continue;
    }
    if (check.kind == tcp::ReplyKind::ok) break;
    if (check.kind == tcp::ReplyKind::exception && check.exception_code > 0 &&
        check.exception_code <= EMBXGTAR - MODBUS_ENOBASE) {
      status = classify_errno(MODBUS_ENOBASE + check.exception_code);
      break;
    }
    modbus_flush(ctx_);  // whatever else is queued belongs to nothing we asked
    status = {TxKind::garbage, check.kind == tcp::ReplyKind::exception
                                   ? "Invalid exception code " + std::to_string(check.exception_code)
                                   : check.error};
    break;
  }
  set_timeout(ctx_, response_timeout_);
  sent_ = std::min<std::uint16_t>(static_cast<std::uint16_t>(sent_ + 1), kLateReplyWindow);
  status.discarded = discarded;
  return status;
}

std::size_t ModbusConnection::drain_line() {
  const int fd = modbus_get_socket(ctx_);
  if (fd < 0) return 0;
  std::size_t drained = 0;
  std::array<std::uint8_t, 256> junk{};
  // The first look does not wait: a silent line (the usual case) costs no time before a request.
  timespec wait{0, 0};
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (ppoll(&p, 1, &wait, nullptr) <= 0 || !(p.revents & POLLIN)) break;
    const ssize_t n = ::read(fd, junk.data(), junk.size());
    if (n <= 0) break;
    drained += static_cast<std::size_t>(n);
    // Bytes came: the rest of their frame may still be on its way.
    const auto quiet = std::chrono::duration_cast<std::chrono::nanoseconds>(quiet_gap_).count();
    wait = timespec{static_cast<time_t>(quiet / 1'000'000'000), static_cast<long>(quiet % 1'000'000'000)};
  }
  return drained;
}

bool ModbusConnection::wait_out_late_reply(std::chrono::milliseconds guard) {
  const int fd = modbus_get_socket(ctx_);
  if (fd < 0) return false;
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(guard.count())) <= 0 || !(p.revents & POLLIN)) return false;
  return drain_line() > 0;
}

TxStatus ModbusConnection::transact_rtu(const tcp::Request& request, std::span<std::uint16_t> values) {
  // An RTU frame carries no transaction id: a reply that comes after its request timed out looks
  // exactly like the answer to the next request of the same shape, and libmodbus 3.1.6 takes it as
  // such. So the line is drained before every request (nothing left from before is read as an
  // answer), each frame is matched to the request by unit, function and size and an echo by address
  // and value (3.1.6 checks neither a write's echo nor, over RTU, anything once a frame passes its
  // CRC), frames that do not match are skipped, and after a timeout a late reply is waited out.
  unsigned discarded = drain_line() > 0 ? 1u : 0u;
  tcp::encode(request, frame_);
  constexpr std::size_t kMbapBeforeUnit = 6;  // transaction, protocol, length; RTU sends unit + PDU
  // libmodbus 3.1.6 filters received frames on the context's unit id (another unit's frame comes
  // back as length 0), so it must be the one asked.
  modbus_set_slave(ctx_, request.unit);
  if (modbus_send_raw_request(ctx_, frame_.data() + kMbapBeforeUnit,
                              static_cast<int>(frame_.size() - kMbapBeforeUnit)) == -1) {
    return fail(errno);
  }
  if (request.unit == 0) return {};  // a broadcast is never answered
  const auto sent = std::chrono::steady_clock::now();
  const auto deadline = sent + response_timeout_;
  std::array<std::uint8_t, MODBUS_RTU_MAX_ADU_LENGTH> reply{};
  TxStatus status;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    int error = ETIMEDOUT;
    int rc = -1;
    if (left.count() > 0) {
      set_timeout(ctx_, left);
      rc = modbus_receive_confirmation(ctx_, reply.data());
      error = errno;
    }
    if (rc == -1 && error == ETIMEDOUT) {
      status = classify_errno(ETIMEDOUT);
      // Nothing answered in time, but the device may still: whatever comes within another response
      // timeout is its late reply, read and thrown away here rather than by the next request.
      if (wait_out_late_reply(response_timeout_)) {
        ++discarded;
        const auto late = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sent);
        status.message += "; a reply came about " + std::to_string(late.count()) +
                          " ms after the request, later than the " + std::to_string(response_timeout_.count()) +
                          " ms response timeout (raise the bus's response_timeout_ms)";
      }
      break;
    }
    if (rc == -1) {
      status = classify_errno(error);
      if (status.kind == TxKind::link) {
        close();
        break;
      }
      drain_line();  // a broken frame: the rest of it must not start the next one
      break;
    }
    constexpr int kUnitAndCrc = 3;
    if (rc < kUnitAndCrc + 2) {  // another unit's frame (rc 0), or too short to be anyone's answer
      ++discarded;
      continue;
    }
    const auto check = tcp::check_pdu(
        request, reply[0], std::span<const std::uint8_t>(reply.data() + 1, static_cast<std::size_t>(rc - kUnitAndCrc)),
        values);
    if (check.kind == tcp::ReplyKind::ok) break;
    if (check.kind == tcp::ReplyKind::exception) {
      status = check.exception_code > 0 && check.exception_code <= EMBXGTAR - MODBUS_ENOBASE
                   ? classify_errno(MODBUS_ENOBASE + check.exception_code)
                   : TxStatus{TxKind::garbage, "Invalid exception code " + std::to_string(check.exception_code)};
      break;
    }
    ++discarded;  // a whole frame, but not the answer to this request: a late one to another
  }
  set_timeout(ctx_, response_timeout_);
  status.discarded = discarded;
  return status;
}

namespace {

tcp::Request make_request(unsigned unit, std::uint8_t function, unsigned start) {
  tcp::Request request;
  request.unit = static_cast<std::uint8_t>(unit);
  request.function = function;
  request.address = static_cast<std::uint16_t>(start);
  return request;
}

}  // namespace

TxStatus ModbusConnection::read(unsigned unit, v1::RegisterTable table, unsigned start, unsigned count,
                                std::uint16_t* out) {
  if (!connected_) return {TxKind::link, "not connected"};
  tcp::Request request = make_request(unit,
                                      table == v1::REGISTER_TABLE_COIL       ? tcp::kReadCoils
                                      : table == v1::REGISTER_TABLE_DISCRETE ? tcp::kReadDiscreteInputs
                                      : table == v1::REGISTER_TABLE_INPUT    ? tcp::kReadInputRegisters
                                                                             : tcp::kReadHoldingRegisters,
                                      start);
  request.count = static_cast<std::uint16_t>(count);
  return transact(std::move(request), std::span<std::uint16_t>(out, count));
}

TxStatus ModbusConnection::write(unsigned unit, v1::RegisterTable table, unsigned start,
                                 std::span<const std::uint16_t> words) {
  if (!connected_) return {TxKind::link, "not connected"};
  if (words.empty()) return {};
  if (table != v1::REGISTER_TABLE_COIL && table != v1::REGISTER_TABLE_HOLDING) {
    return {TxKind::exception, "the " + std::string(table == v1::REGISTER_TABLE_INPUT ? "input" : "discrete") +
                                   " table is read-only"};
  }
  const bool coil = table == v1::REGISTER_TABLE_COIL;
  tcp::Request request = make_request(unit,
                                      words.size() == 1 ? (coil ? tcp::kWriteSingleCoil : tcp::kWriteSingleRegister)
                                                        : (coil ? tcp::kWriteMultipleCoils : tcp::kWriteMultipleRegisters),
                                      start);
  request.values.assign(words.begin(), words.end());
  return transact(std::move(request), {});
}

}  // namespace atmo::modbus
