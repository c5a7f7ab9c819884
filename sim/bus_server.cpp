#include "sim/bus_server.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace atmo::sim {
namespace {

std::int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

constexpr int kUnitIdOffset = 6;  // MBAP header: transaction (2), protocol (2), length (2), unit (1)

}  // namespace

BusServer::BusServer(std::string bus_id, std::string host, int port, std::vector<DeviceImage*> devices)
    : id_(std::move(bus_id)), host_(std::move(host)), port_(port) {
  for (auto* d : devices) by_unit_[d->unit()] = d;
}

BusServer::~BusServer() { stop(); }

Result<int> BusServer::start() {
  if (thread_.joinable()) return port_.load();
  if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return make_error("bus " + id_ + ": cannot create a wake-up pipe: " + std::strerror(errno));
  }
  if (!listen()) {
    const std::string why = std::strerror(errno);
    stop();
    return make_error("bus " + id_ + ": cannot listen on " + host_ + ":" + std::to_string(port_.load()) + ": " +
                      why);
  }
  thread_ = std::thread([this] { run(); });
  return port_.load();
}

void BusServer::stop() {
  stop_ = true;
  wake();
  if (thread_.joinable()) thread_.join();
  close_all();
  if (ctx_ != nullptr) {
    modbus_free(ctx_);
    ctx_ = nullptr;
  }
  for (int& fd : wake_pipe_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

void BusServer::set_up(bool up) {
  up_ = up;
  wake();
}

void BusServer::wake() {
  if (wake_pipe_[1] >= 0) {
    const char c = 1;
    [[maybe_unused]] auto n = ::write(wake_pipe_[1], &c, 1);  // a full pipe already wakes the loop
  }
}

BusCounters BusServer::counters() const {
  std::lock_guard lock(counters_mutex_);
  return counters_;
}

bool BusServer::listen() {
  if (ctx_ != nullptr) modbus_free(ctx_);
  // After the first bind port_ holds the port actually bound, so `bus up` reuses it.
  ctx_ = modbus_new_tcp(host_.c_str(), port_.load());
  if (ctx_ == nullptr) return false;
  listen_fd_ = modbus_tcp_listen(ctx_, 16);
  if (listen_fd_ < 0) return false;
  ::fcntl(listen_fd_, F_SETFD, FD_CLOEXEC);
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) port_ = ntohs(addr.sin_port);
  listening_ = true;
  return true;
}

void BusServer::close_all() {
  for (auto& c : connections_) ::close(c.fd);
  connections_.clear();
  delayed_.clear();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
  listening_ = false;
  if (ctx_ != nullptr) modbus_set_socket(ctx_, -1);  // never let modbus_close() touch a closed fd
}

void BusServer::close_connection(std::size_t index) {
  ::close(connections_[index].fd);
  connections_.erase(connections_.begin() + static_cast<std::ptrdiff_t>(index));
}

void BusServer::run() {
  std::vector<std::uint8_t> request(MODBUS_TCP_MAX_ADU_LENGTH);
  std::int64_t retry_listen_at = 0;
  while (!stop_) {
    if (up_ && !listening_ && steady_ms() >= retry_listen_at) {
      if (listen()) {
        spdlog::info("sim: bus {} up again on {}:{}", id_, host_, port_.load());
      } else {
        spdlog::warn("sim: bus {} cannot listen on {}:{} ({}); retrying", id_, host_, port_.load(), std::strerror(errno));
        retry_listen_at = steady_ms() + 500;
      }
    } else if (!up_ && listening_) {
      close_all();
      spdlog::info("sim: bus {} down: listener and connections closed", id_);
    }

    fd_set readable;
    FD_ZERO(&readable);
    int max_fd = wake_pipe_[0];
    FD_SET(wake_pipe_[0], &readable);
    if (listening_) {
      FD_SET(listen_fd_, &readable);
      max_fd = std::max(max_fd, listen_fd_);
    }
    for (const auto& c : connections_) {
      FD_SET(c.fd, &readable);
      max_fd = std::max(max_fd, c.fd);
    }
    std::int64_t wait_ms = 500;
    for (const auto& d : delayed_) wait_ms = std::min(wait_ms, std::max<std::int64_t>(0, d.due_ms - steady_ms()));
    timeval tv{static_cast<time_t>(wait_ms / 1000), static_cast<suseconds_t>((wait_ms % 1000) * 1000)};
    const int n = ::select(max_fd + 1, &readable, nullptr, nullptr, &tv);
    if (n < 0) {
      if (errno == EINTR) continue;
      spdlog::error("sim: bus {}: select failed: {}", id_, std::strerror(errno));
      break;
    }
    if (FD_ISSET(wake_pipe_[0], &readable)) {
      char buf[64];
      while (::read(wake_pipe_[0], buf, sizeof buf) > 0) {
      }
    }
    if (stop_) break;
    if (listening_ && FD_ISSET(listen_fd_, &readable)) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        connections_.push_back(Connection{fd, next_serial_++});
        std::lock_guard lock(counters_mutex_);
        ++counters_.connections;
      }
    }
    std::vector<std::uint64_t> ready;
    for (const auto& c : connections_) {
      if (FD_ISSET(c.fd, &readable)) ready.push_back(c.serial);
    }
    for (auto serial : ready) {
      auto it = std::find_if(connections_.begin(), connections_.end(),
                             [&](const Connection& c) { return c.serial == serial; });
      if (it == connections_.end()) continue;
      const auto index = static_cast<std::size_t>(it - connections_.begin());
      modbus_set_socket(ctx_, it->fd);
      const int length = modbus_receive(ctx_, request.data());
      if (length > 0) {
        handle(index, request.data(), length);
      } else if (length < 0) {
        if (errno != ECONNRESET) {
          std::lock_guard lock(counters_mutex_);
          ++counters_.bad_frames;
        }
        close_connection(index);
      }
    }
    send_due_replies();
  }
  close_all();
}

void BusServer::handle(std::size_t index, const std::uint8_t* req, int length) {
  const unsigned unit = req[kUnitIdOffset];
  const auto found = by_unit_.find(unit);
  if (found == by_unit_.end()) {
    std::lock_guard lock(counters_mutex_);
    ++counters_.unknown_unit;
    return;
  }
  DeviceImage* device = found->second;
  device->count_request();
  const DeviceFault fault = device->fault();
  const int fd = connections_[index].fd;
  switch (fault.kind) {
    case FaultKind::drop:
      device->count_dropped();
      return;
    case FaultKind::close:
      device->count_closed();
      close_connection(index);
      return;
    case FaultKind::delay:
      delayed_.push_back(Delayed{steady_ms() + fault.delay_ms, connections_[index].serial,
                                 std::vector<std::uint8_t>(req, req + length), device});
      return;
    case FaultKind::exception:
      modbus_set_socket(ctx_, fd);
      modbus_set_slave(ctx_, static_cast<int>(unit));
      device->reply_exception(ctx_, req, fault.exception_code);
      return;
    case FaultKind::garbage:
    case FaultKind::none:
      modbus_set_socket(ctx_, fd);
      // libmodbus (3.1.6) takes the unit id of a TCP reply from the request; the context's slave id
      // only feeds REPORT SLAVE ID, so set it to the device answering.
      modbus_set_slave(ctx_, static_cast<int>(unit));
      device->reply(ctx_, req, length, modbus_get_header_length(ctx_), fault.kind == FaultKind::garbage);
      return;
  }
}

void BusServer::send_due_replies() {
  const std::int64_t now = steady_ms();
  std::vector<Delayed> due;
  auto split = std::stable_partition(delayed_.begin(), delayed_.end(), [&](const Delayed& d) { return d.due_ms > now; });
  std::move(split, delayed_.end(), std::back_inserter(due));
  delayed_.erase(split, delayed_.end());
  for (auto& d : due) {
    auto it = std::find_if(connections_.begin(), connections_.end(),
                           [&](const Connection& c) { return c.serial == d.serial; });
    if (it == connections_.end()) continue;  // the client gave up and closed
    modbus_set_socket(ctx_, it->fd);
    modbus_set_slave(ctx_, static_cast<int>(d.device->unit()));
    d.device->reply(ctx_, d.request.data(), static_cast<int>(d.request.size()), modbus_get_header_length(ctx_),
                    false);
  }
}

}  // namespace atmo::sim
