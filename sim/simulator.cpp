#include "sim/simulator.hpp"

#include <algorithm>

#include <cmath>

#include <arpa/inet.h>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace atmo::sim {
namespace {

bool is_ipv4(const std::string& host) {
  in_addr addr{};
  return ::inet_pton(AF_INET, host.c_str(), &addr) == 1;
}

}  // namespace

Simulator::Simulator(std::shared_ptr<const zones::Venue> venue, const Clock& clock, SimulatorOptions options)
    : venue_(std::move(venue)), clock_(clock), options_(std::move(options)) {
  std::vector<DeviceImage*> raw;
  for (const auto& device : venue_->devices()) {
    images_.push_back(std::make_unique<DeviceImage>(device));
    raw.push_back(images_.back().get());
  }
  physics_ = std::make_unique<VenuePhysics>(*venue_, std::move(raw), options_.seed);
  last_tick_ms_ = clock_.now_ms();
}

Simulator::~Simulator() { stop(); }

Result<std::size_t> Simulator::start() {
  if (started_) return servers_.size();
  for (const auto& bus : venue_->config().buses()) {
    if (!bus.has_tcp()) {
      spdlog::warn("sim: bus {} is RTU ({}): not served; only Modbus TCP buses are simulated", bus.id(),
                   bus.rtu().device());
      continue;
    }
    std::string host = options_.listen_host.empty() ? bus.tcp().host() : options_.listen_host;
    if (host.empty() || host == "localhost") host = "127.0.0.1";
    if (!is_ipv4(host)) {
      stop();
      return make_error("bus " + bus.id() + ": host '" + host +
                        "' is not an IPv4 address the simulator can listen on; serve it locally with "
                        "--listen 127.0.0.1");
    }
    int port = 0;
    if (!options_.ephemeral_ports) {
      port = static_cast<int>(bus.tcp().port() != 0 ? bus.tcp().port() : 502) + options_.port_offset;
      if (port <= 0 || port > 65535) {
        stop();
        return make_error("bus " + bus.id() + ": port " + std::to_string(port) +
                          " (with offset " + std::to_string(options_.port_offset) + ") is not a valid TCP port");
      }
    }
    std::vector<DeviceImage*> devices;
    for (const auto* device : venue_->devices_on_bus(bus.id())) devices.push_back(&image_of(*device));
    auto server = std::make_unique<BusServer>(bus.id(), host, port, std::move(devices));
    auto bound = server->start();
    if (!bound) {
      stop();
      return bound.error();
    }
    spdlog::info("sim: bus {} on {}:{} ({} device(s))", bus.id(), host, *bound,
                 venue_->devices_on_bus(bus.id()).size());
    servers_.push_back(std::move(server));
  }
  {
    std::lock_guard lock(mutex_);
    stop_ = false;
    last_tick_ms_ = clock_.now_ms();
  }
  if (options_.tick_thread) {
    // tick_ms is venue time: a fast venue clock ticks the physics more often in real time (down to
    // a floor the host can keep), so each step stays about tick_ms of venue time where it can.
    constexpr double kFloorRealMs = 10.0;
    const auto period =
        std::chrono::duration<double, std::milli>(clock_.real_period_ms(static_cast<double>(options_.tick_ms), kFloorRealMs));
    tick_thread_ = std::thread([this, period] {
      std::unique_lock lock(mutex_);
      while (!stop_) {
        tick_cv_.wait_for(lock, period);
        if (stop_) break;
        lock.unlock();
        tick();
        lock.lock();
      }
    });
  }
  started_ = true;
  return servers_.size();
}

void Simulator::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  tick_cv_.notify_all();
  if (tick_thread_.joinable()) tick_thread_.join();
  for (auto& s : servers_) s->stop();
  servers_.clear();
  started_ = false;
}

void Simulator::tick() {
  TimeMs advance = 0;
  {
    std::lock_guard lock(mutex_);
    const TimeMs now = clock_.now_ms();
    const TimeMs dt = now - last_tick_ms_;
    if (dt <= 0) return;
    last_tick_ms_ = now;
    const double simulated = static_cast<double>(dt) * options_.speed + residue_ms_;
    advance = static_cast<TimeMs>(std::floor(simulated));
    residue_ms_ = simulated - static_cast<double>(advance);
  }
  physics_->advance(advance);
}

DeviceImage& Simulator::image_of(const zones::Device& device) const {
  return *images_[static_cast<std::size_t>(&device - venue_->devices().data())];
}

BusServer* Simulator::server(std::string_view bus) const {
  for (const auto& s : servers_) {
    if (s->id() == bus) return s.get();
  }
  return nullptr;
}

std::string Simulator::point_hint(std::string_view point) const {
  // Name the device's points when the device exists, else the zone's: what the user most likely meant.
  const auto last_dot = point.rfind('.');
  const auto first_dot = point.find('.');
  const std::string device(last_dot == std::string_view::npos ? point : point.substr(0, last_dot));
  const std::string zone(point.substr(0, first_dot));
  const auto list = [&](auto&& keep) {
    std::string names;
    for (const auto& p : venue_->points()) {
      if (keep(p)) names += (names.empty() ? "" : ", ") + p.id;
    }
    return names;
  };
  if (venue_->device(device) != nullptr) {
    return "no point '" + std::string(point) + "'; device " + device + " has " +
           list([&](const zones::Point& p) { return p.device->id == device; });
  }
  const auto in_zone = list([&](const zones::Point& p) { return p.zone == zone; });
  if (in_zone.empty()) return "no point '" + std::string(point) + "' (points are named zone.device.point)";
  return "no point '" + std::string(point) + "'; zone " + zone + " has " + in_zone;
}

Result<double> Simulator::get(std::string_view point) const {
  const auto* p = venue_->point(point);
  if (p == nullptr) return make_error(point_hint(point));
  return image_of(*p->device).value(*p);
}

Result<double> Simulator::set(std::string_view point, double value) {
  const auto* p = venue_->point(point);
  if (p == nullptr) return make_error(point_hint(point));
  if (p->output()) return image_of(*p->device).set_value(*p, value, false);
  return physics_->force_input(*p, value);
}

Result<double> Simulator::set_sound_level(std::string_view zone, std::optional<double> level_db) {
  return physics_->set_sound_level(zone, level_db);
}

Result<DeviceFault> Simulator::set_fault(std::string_view device, const DeviceFault& fault) {
  const auto* d = venue_->device(device);
  if (d == nullptr) return make_error("no device '" + std::string(device) + "' (devices are named zone.device)");
  image_of(*d).set_fault(fault);
  spdlog::info("sim: device {} fault {}", d->id, to_string(fault));
  return fault;
}

Result<int> Simulator::set_bus_up(std::string_view bus, bool up) {
  if (venue_->bus(bus) == nullptr) return make_error("no bus '" + std::string(bus) + "' in this venue");
  auto* s = server(bus);
  if (s == nullptr) return make_error("bus '" + std::string(bus) + "' is not served (RTU, or the simulator is stopped)");
  s->set_up(up);
  return s->port();
}

std::optional<int> Simulator::bus_port(std::string_view bus) const {
  const auto* s = server(bus);
  if (s == nullptr) return std::nullopt;
  return s->port();
}

SimulatorStatus Simulator::status() const {
  SimulatorStatus out;
  out.simulated_ms = physics_->elapsed_ms();
  for (const auto& bus : venue_->config().buses()) {
    BusStatus b;
    b.id = bus.id();
    b.transport = bus.has_tcp() ? "tcp" : "rtu (not served)";
    if (const auto* s = server(bus.id())) {
      b.port = s->port();
      b.up = s->up();
      b.counters = s->counters();
    }
    out.buses.push_back(std::move(b));
  }
  for (const auto& device : venue_->devices()) {
    const auto& image = image_of(device);
    out.devices.push_back(DeviceStatus{device.id, device.bus->id(), image.unit(), image.fault(), image.counters()});
  }
  return out;
}

std::string Simulator::status_json() const {
  const SimulatorStatus s = status();
  boost::json::object root;
  root["simulated_ms"] = s.simulated_ms;
  boost::json::array buses;
  for (const auto& b : s.buses) {
    buses.push_back({{"id", b.id},
                     {"transport", b.transport},
                     {"port", b.port},
                     {"up", b.up},
                     {"connections", b.counters.connections},
                     {"unknown_unit", b.counters.unknown_unit},
                     {"bad_frames", b.counters.bad_frames}});
  }
  root["buses"] = std::move(buses);
  boost::json::array devices;
  for (const auto& d : s.devices) {
    devices.push_back({{"id", d.id},
                       {"bus", d.bus},
                       {"unit", d.unit},
                       {"fault", to_string(d.fault)},
                       {"requests", d.counters.requests},
                       {"replies", d.counters.replies},
                       {"exceptions", d.counters.exceptions},
                       {"dropped", d.counters.dropped},
                       {"closed", d.counters.closed},
                       {"writes", d.counters.writes}});
  }
  root["devices"] = std::move(devices);
  return boost::json::serialize(root);
}

}  // namespace atmo::sim
