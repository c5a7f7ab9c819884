// The controller side of the integration tests: the test thread runs the io_context the DeviceSet
// posts to, so it plays the controller thread, and records everything the buses report.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

// GCC 12 reports a false "potential null pointer dereference" inside Asio when an io_context
// executor becomes an any_io_executor (any_executor_base::equal_ex); the location is in Asio's
// header, so the warning is silenced for that header's text only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#pragma GCC diagnostic pop

#include "drivers/modbus/device_set.hpp"

namespace atmo::modbus::test {

struct WriteRecord {
  std::string point;
  double value;
  std::optional<Error> error;
};

struct MismatchRecord {
  std::string point;
  double desired;
  double actual;
};

class Recorder final : public DeviceSetListener {
 public:
  void on_readings(std::vector<PointReading> readings) override {
    ++batches;
    for (auto& r : readings) {
      latest[r.point->id] = r;
      readings_.push_back(std::move(r));
    }
  }
  void on_device_health(const DeviceHealth& h) override { health.push_back(h); }
  void on_write_result(const zones::Point& p, double value, const std::optional<Error>& error) override {
    writes.push_back({p.id, value, error});
  }
  void on_readback_mismatch(const zones::Point& p, double desired, double actual) override {
    mismatches.push_back({p.id, desired, actual});
  }

  bool good(const std::string& point) const {
    auto it = latest.find(point);
    return it != latest.end() && it->second.quality == v1::QUALITY_GOOD;
  }
  std::optional<PointReading> last(const std::string& point) const {
    auto it = latest.find(point);
    if (it == latest.end()) return std::nullopt;
    return it->second;
  }
  std::size_t count(const std::string& point, v1::Quality quality) const {
    std::size_t n = 0;
    for (const auto& r : readings_) n += r.point->id == point && r.quality == quality ? 1 : 0;
    return n;
  }
  /// Every value `point` was reported with at `quality`, in order.
  std::vector<double> values(const std::string& point, v1::Quality quality) const {
    std::vector<double> out;
    for (const auto& r : readings_) {
      if (r.point->id == point && r.quality == quality) out.push_back(r.value);
    }
    return out;
  }
  bool written_ok(const std::string& point, double value) const {
    for (const auto& w : writes) {
      if (w.point == point && w.value == value && !w.error) return true;
    }
    return false;
  }
  std::optional<DeviceHealth> last_health(const std::string& device) const {
    for (auto it = health.rbegin(); it != health.rend(); ++it) {
      if (it->device_id == device) return *it;
    }
    return std::nullopt;
  }

  std::map<std::string, PointReading> latest;
  std::vector<DeviceHealth> health;
  std::vector<WriteRecord> writes;
  std::vector<MismatchRecord> mismatches;
  std::size_t batches = 0;

 private:
  std::vector<PointReading> readings_;
};

/// Runs the io_context on this thread until `done` holds or `timeout` passes.
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds timeout) {
  // Dropping the previous call's guard left the io_context out of work, which stops it.
  if (io.stopped()) io.restart();
  auto guard = boost::asio::make_work_guard(io);
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    io.run_for(std::chrono::milliseconds(10));
  }
  return true;
}

/// Runs the io_context for `duration`, delivering whatever the buses post.
inline void run_for(boost::asio::io_context& io, std::chrono::milliseconds duration) {
  if (io.stopped()) io.restart();
  auto guard = boost::asio::make_work_guard(io);
  const auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until) io.run_for(std::chrono::milliseconds(10));
}

/// A venue's buses started against the real clock, with the test thread as their controller
/// thread: the setup every integration test shares.
struct RunningDevices {
  explicit RunningDevices(std::shared_ptr<const zones::Venue> venue)
      : devices(std::move(venue), io.get_executor(), recorder, clock) {
    devices.start();
  }
  boost::asio::io_context io;
  Recorder recorder;
  SystemClock clock;
  DeviceSet devices;
};

}  // namespace atmo::modbus::test
