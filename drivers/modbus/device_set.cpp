#include "drivers/modbus/device_set.hpp"

#include <atomic>
#include <future>

#include <boost/asio/post.hpp>

namespace atmo::modbus {

/// Posts what the workers deliver onto the controller's executor. Handlers keep the relay (and the
/// venue the readings point into) alive and drop their payload once the set was stopped.
class DeviceSet::Relay final : public BusSink, public std::enable_shared_from_this<Relay> {
 public:
  Relay(std::shared_ptr<const zones::Venue> venue, boost::asio::any_io_executor executor, DeviceSetListener& listener)
      : venue_(std::move(venue)), executor_(std::move(executor)), listener_(listener) {}

  void close() { open_.store(false, std::memory_order_release); }

  void bus_readings(std::vector<PointReading> readings) override {
    deliver([readings = std::move(readings)](DeviceSetListener& l) mutable { l.on_readings(std::move(readings)); });
  }
  void bus_device_health(DeviceHealth health) override {
    deliver([health = std::move(health)](DeviceSetListener& l) { l.on_device_health(health); });
  }
  void bus_write_result(const zones::Point& point, double value, std::optional<Error> error) override {
    deliver([&point, value, error = std::move(error)](DeviceSetListener& l) { l.on_write_result(point, value, error); });
  }
  void bus_readback_mismatch(const zones::Point& point, double desired, double actual) override {
    deliver([&point, desired, actual](DeviceSetListener& l) { l.on_readback_mismatch(point, desired, actual); });
  }

 private:
  template <class F>
  void deliver(F&& f) {
    if (!open_.load(std::memory_order_acquire)) return;
    boost::asio::post(executor_, [self = shared_from_this(), f = std::forward<F>(f)]() mutable {
      if (self->open_.load(std::memory_order_acquire)) f(self->listener_);
    });
  }

  std::shared_ptr<const zones::Venue> venue_;  // keeps points alive for queued handlers
  boost::asio::any_io_executor executor_;
  DeviceSetListener& listener_;
  std::atomic<bool> open_{true};
};

DeviceSet::DeviceSet(std::shared_ptr<const zones::Venue> venue, boost::asio::any_io_executor controller,
                     DeviceSetListener& listener, const Clock& clock, BusOptions options)
    : venue_(std::move(venue)), relay_(std::make_shared<Relay>(venue_, std::move(controller), listener)) {
  for (const auto& bus : venue_->config().buses()) {
    buses_.push_back(std::make_unique<ModbusBus>(venue_, bus, *relay_, clock, options));
  }
}

DeviceSet::~DeviceSet() { stop(); }

void DeviceSet::start() {
  for (auto& bus : buses_) bus->start();
}

void DeviceSet::stop() {
  relay_->close();
  // Each bus may wait up to a response timeout for a hung device; stop them side by side.
  std::vector<std::future<void>> stopping;
  stopping.reserve(buses_.size());
  for (auto& bus : buses_) stopping.push_back(std::async(std::launch::async, [&bus] { bus->stop(); }));
  for (auto& f : stopping) f.get();
}

Accepted DeviceSet::set_desired(const zones::Point& point, double value) {
  auto* bus = bus_of(point);
  if (!bus) return no_bus(point);
  return bus->set_desired(point, value);
}

Accepted DeviceSet::rewrite_desired(const zones::Point& point, double value) {
  auto* bus = bus_of(point);
  if (!bus) return no_bus(point);
  return bus->rewrite_desired(point, value);
}

ModbusBus* DeviceSet::bus_of(const zones::Point& point) {
  if (!point.device || !point.device->bus) return nullptr;
  for (auto& bus : buses_) {
    if (&bus->bus() == point.device->bus) return bus.get();
  }
  return nullptr;
}

Accepted DeviceSet::no_bus(const zones::Point& point) {
  if (!point.device || !point.device->bus) return make_error(point.id + " is not on any bus");
  return make_error(point.id + " is on bus " + point.device->bus->id() + ", which this device set does not run");
}

std::vector<DeviceHealth> DeviceSet::health() const { return gather(&ModbusBus::health); }

std::vector<DeviceHealth> DeviceSet::failing() const { return gather(&ModbusBus::failing); }

std::vector<DeviceHealth> DeviceSet::gather(std::vector<DeviceHealth> (ModbusBus::*of_bus)() const) const {
  std::vector<DeviceHealth> out;
  for (const auto& bus : buses_) {
    auto h = ((*bus).*of_bus)();
    out.insert(out.end(), std::make_move_iterator(h.begin()), std::make_move_iterator(h.end()));
  }
  return out;
}

DeviceCount DeviceSet::device_count() const {
  DeviceCount total;
  for (const auto& bus : buses_) {
    const auto count = bus->device_count();
    total.devices += count.devices;
    total.failing += count.failing;
  }
  return total;
}

std::vector<BusStats> DeviceSet::bus_stats() const {
  std::vector<BusStats> out;
  for (const auto& bus : buses_) out.push_back(bus->stats());
  return out;
}

}  // namespace atmo::modbus
