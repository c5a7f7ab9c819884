#include "fake_device.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <vector>

#include <modbus/modbus.h>

namespace atmo::modbus::test {
namespace {

constexpr int kTableSize = 10000;

std::uint16_t crc16(const std::uint8_t* data, std::size_t n) {
  std::uint16_t crc = 0xFFFF;
  for (std::size_t i = 0; i < n; ++i) {
    crc ^= data[i];
    for (int b = 0; b < 8; ++b) crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA001) : crc >> 1;
  }
  return crc;
}

}  // namespace

std::unique_ptr<FakeDevice> FakeDevice::tcp(std::set<unsigned> units, int port) {
  auto d = std::unique_ptr<FakeDevice>(new FakeDevice(false, std::move(units), port, {}, 0));
  d->start();
  return d;
}

std::unique_ptr<FakeDevice> FakeDevice::rtu(const std::string& device, unsigned unit, int baud) {
  auto d = std::unique_ptr<FakeDevice>(new FakeDevice(true, {unit}, 0, device, baud));
  d->start();
  return d;
}

FakeDevice::FakeDevice(bool rtu, std::set<unsigned> units, int port, std::string device, int baud)
    : rtu_(rtu), port_(port), device_(std::move(device)), baud_(baud) {
  for (unsigned u : units) {
    maps_[u] = modbus_mapping_new(kTableSize, kTableSize, kTableSize, kTableSize);
    faults_[u] = Fault::none;
  }
}

FakeDevice::~FakeDevice() {
  stop();
  for (auto& [unit, map] : maps_) modbus_mapping_free(map);
}

void FakeDevice::start() {
  if (running_) return;
  if (rtu_) {
    ctx_ = modbus_new_rtu(device_.c_str(), baud_, 'N', 8, 1);
    if (!ctx_) throw std::runtime_error("fake device: cannot create RTU context");
    modbus_set_slave(ctx_, static_cast<int>(maps_.begin()->first));
    if (modbus_connect(ctx_) == -1) {
      const std::string error = modbus_strerror(errno);
      modbus_free(ctx_);
      ctx_ = nullptr;
      throw std::runtime_error("fake device: cannot open " + device_ + ": " + error);
    }
  } else {
    ctx_ = modbus_new_tcp("127.0.0.1", port_);
    if (!ctx_) throw std::runtime_error("fake device: cannot create TCP context");
    listen_fd_ = modbus_tcp_listen(ctx_, 16);
    if (listen_fd_ == -1) {
      const std::string error = modbus_strerror(errno);
      modbus_free(ctx_);
      ctx_ = nullptr;
      throw std::runtime_error("fake device: cannot listen on port " + std::to_string(port_) + ": " + error);
    }
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);  // keeps the port across restarts
  }
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

void FakeDevice::stop() {
  if (!running_) return;
  running_ = false;
  thread_.join();
  if (listen_fd_ != -1) ::close(listen_fd_);
  listen_fd_ = -1;
  if (rtu_) modbus_close(ctx_);
  modbus_free(ctx_);
  ctx_ = nullptr;
}

void FakeDevice::set_fault(unsigned unit, Fault fault) {
  std::lock_guard lock(mutex_);
  faults_[unit] = fault;
}

void FakeDevice::set_register(unsigned unit, v1::RegisterTable table, unsigned address, std::uint16_t value) {
  std::lock_guard lock(mutex_);
  auto* m = maps_.at(unit);
  switch (table) {
    case v1::REGISTER_TABLE_COIL: m->tab_bits[address] = value != 0; break;
    case v1::REGISTER_TABLE_DISCRETE: m->tab_input_bits[address] = value != 0; break;
    case v1::REGISTER_TABLE_INPUT: m->tab_input_registers[address] = value; break;
    default: m->tab_registers[address] = value; break;
  }
}

std::uint16_t FakeDevice::get_register(unsigned unit, v1::RegisterTable table, unsigned address) const {
  std::lock_guard lock(mutex_);
  const auto* m = maps_.at(unit);
  switch (table) {
    case v1::REGISTER_TABLE_COIL: return m->tab_bits[address];
    case v1::REGISTER_TABLE_DISCRETE: return m->tab_input_bits[address];
    case v1::REGISTER_TABLE_INPUT: return m->tab_input_registers[address];
    default: return m->tab_registers[address];
  }
}

std::uint64_t FakeDevice::requests(unsigned unit) const {
  std::lock_guard lock(mutex_);
  auto it = requests_.find(unit);
  return it == requests_.end() ? 0 : it->second;
}

void FakeDevice::run() {
  std::vector<int> clients;
  std::uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
  while (running_) {
    fd_set set;
    FD_ZERO(&set);
    int max_fd = -1;
    const int line = rtu_ ? modbus_get_socket(ctx_) : listen_fd_;
    FD_SET(line, &set);
    max_fd = line;
    for (int c : clients) {
      FD_SET(c, &set);
      max_fd = std::max(max_fd, c);
    }
    timeval tv{0, 20'000};  // short, so stop() is quick
    if (select(max_fd + 1, &set, nullptr, nullptr, &tv) <= 0) continue;
    if (rtu_) {
      const int rc = modbus_receive(ctx_, query);
      if (rc > 0) handle(line, query, rc);
      continue;
    }
    if (FD_ISSET(listen_fd_, &set)) {
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd >= 0) clients.push_back(fd);
    }
    for (auto it = clients.begin(); it != clients.end();) {
      if (!FD_ISSET(*it, &set)) {
        ++it;
        continue;
      }
      modbus_set_socket(ctx_, *it);
      const int rc = modbus_receive(ctx_, query);
      if (rc > 0) handle(*it, query, rc);
      // rc == -1: the client left; an fd closed by a fault is -1 too.
      if (rc == -1 || modbus_get_socket(ctx_) == -1) {
        ::close(*it);
        it = clients.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (int c : clients) ::close(c);
}

void FakeDevice::handle(int fd, const std::uint8_t* query, int length) {
  const int header = modbus_get_header_length(ctx_);
  const unsigned unit = query[header - 1];
  const unsigned address = (static_cast<unsigned>(query[header + 1]) << 8) | query[header + 2];
  std::unique_lock lock(mutex_);
  auto map = maps_.find(unit);
  if (map == maps_.end()) return;  // nobody at this unit id: silence
  ++requests_[unit];
  Fault fault = faults_[unit];
  if (address == kMagicHang) fault = Fault::hang;
  if (address == kMagicException) fault = Fault::exception;
  if (address == kMagicGarbage) fault = Fault::garbage;
  if (address == kMagicClose) fault = Fault::close;
  switch (fault) {
    case Fault::hang:
      return;
    case Fault::exception:
      modbus_reply_exception(ctx_, query, MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS);
      return;
    case Fault::garbage:
      send_garbage(fd, query);
      return;
    case Fault::close:
      if (!rtu_) {
        ::shutdown(fd, SHUT_RDWR);
        modbus_set_socket(ctx_, -1);
      }
      return;
    case Fault::none:
      modbus_reply(ctx_, query, length, map->second);
      return;
  }
}

void FakeDevice::send_garbage(int fd, const std::uint8_t* query) {
  const int header = modbus_get_header_length(ctx_);
  const std::uint8_t function = query[header];
  std::vector<std::uint8_t> frame;
  if (rtu_) {
    // A well-formed read reply of one register, with a wrong CRC.
    frame = {query[0], function, 2, 0x12, 0x34};
    const std::uint16_t crc = crc16(frame.data(), frame.size()) ^ 0xFFFF;
    frame.push_back(static_cast<std::uint8_t>(crc & 0xFF));
    frame.push_back(static_cast<std::uint8_t>(crc >> 8));
  } else {
    // A complete frame whose byte count disagrees with the request.
    const unsigned count = (static_cast<unsigned>(query[header + 3]) << 8) | query[header + 4];
    const std::uint8_t bytes = static_cast<std::uint8_t>(std::min(250u, 2 * count + 2));
    frame = {query[0], query[1], 0, 0, 0, static_cast<std::uint8_t>(3 + bytes), query[6], function, bytes};
    frame.resize(frame.size() + bytes, 0xAB);
  }
  if (::write(fd, frame.data(), frame.size()) < 0) return;  // the client left; nothing to report
}

}  // namespace atmo::modbus::test
