#include "drivers/modbus/modbus_bus.hpp"

#include <algorithm>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "drivers/modbus/backoff.hpp"
#include "drivers/modbus/register_codec.hpp"

namespace atmo::modbus {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

/// A failed write to a device that is not (yet) offline is retried after this long, not at once.
constexpr milliseconds kWriteRetry{1000};

Outcome outcome_of(TxKind kind) {
  switch (kind) {
    case TxKind::ok: return Outcome::ok;
    case TxKind::exception: return Outcome::exception;
    case TxKind::garbage: return Outcome::garbage;
    default: return Outcome::no_answer;
  }
}

std::string where(v1::RegisterTable table, unsigned start, unsigned count) {
  std::string s = table_name(table) + " " + std::to_string(start);
  if (count > 1) s += ".." + std::to_string(start + count - 1);
  return s;
}

}  // namespace

ModbusBus::ModbusBus(std::shared_ptr<const zones::Venue> venue, const v1::Bus& bus, BusSink& sink, const Clock& clock,
                     BusOptions options)
    : venue_(std::move(venue)),
      bus_(&bus),
      sink_(sink),
      clock_(clock),
      options_(options),
      settings_(venue_->bus_settings(bus)) {
  auto connection = ModbusConnection::create(bus, settings_.response_timeout);
  if (!connection) throw std::runtime_error(connection.error().message);
  connection_ = std::move(connection).value();
  plan_ = plan_bus_reads(*venue_, bus);

  stats_.bus_id = bus.id();
  stats_.endpoint = describe(bus);
  stats_.plan_requests = plan_.size();

  std::unordered_map<const zones::Device*, std::size_t> device_index;
  for (const auto* device : venue_->devices_on_bus(bus.id())) {
    device_index.emplace(device, devices_.size());
    devices_.push_back(DeviceState{device, {}, {}, {}});
    health_.emplace_back(*device, settings_.offline_after_failures);
    for (const auto* p : device->points) {
      if (!p->output() || p->disabled) continue;
      output_of_.emplace(p, outputs_.size());
      devices_.back().outputs.push_back(outputs_.size());
      outputs_.push_back(Output{});
      outputs_.back().point = p;
      outputs_.back().device = devices_.size() - 1;
    }
  }
  trackers_.reserve(plan_.size() * 4);
  for (const auto& request : plan_) {
    Poll& poll = polls_.emplace_back();
    poll.request = request;
    // Poll periods are venue time (timeouts stay real: the devices are): a fast venue clock polls
    // more often in real time, down to a floor a bus can keep.
    if (clock_.rate() != 1.0) {
      constexpr double kFloorRealMs = 20.0;
      poll.request.period = std::chrono::milliseconds(
          static_cast<std::int64_t>(clock_.real_period_ms(static_cast<double>(request.period.count()), kFloorRealMs)));
    }
    poll.device = device_index.at(request.device);
    devices_[poll.device].polls.push_back(polls_.size() - 1);
    for (const auto& planned : request.points) {
      tracker_of_.emplace(planned.point, trackers_.size());
      poll_of_.emplace(planned.point, polls_.size() - 1);
      poll.trackers.push_back(trackers_.size());
      devices_[poll.device].trackers.push_back(trackers_.size());
      trackers_.emplace_back(*planned.point);
    }
  }
  stats_.polled_points = trackers_.size();
  unsigned largest_read = 1;
  std::size_t most_points = 1;
  for (const auto& r : plan_) {
    largest_read = std::max(largest_read, r.count);
    most_points = std::max(most_points, r.points.size());
  }
  read_buffer_.assign(largest_read, 0);
  options_.max_batch_readings = std::max<std::size_t>(options_.max_batch_readings, 1);
  batch_capacity_ = options_.max_batch_readings + most_points;  // a poll may cross the limit by one request
  batch_.reserve(batch_capacity_);

  if (bus.has_rtu()) {
    min_tx_spacing_ = std::max(inter_frame_gap(bus.rtu()), duration_cast<microseconds>(
                                                                milliseconds(bus.rtu().request_pacing_ms())));
  }
  // A returning device must be noticed within two poll periods, so reconnect attempts are never
  // spaced further apart than the shortest poll period.
  for (const auto& r : plan_) options_.reconnect_cap = std::min(options_.reconnect_cap, r.period);
  options_.reconnect_cap = std::max(options_.reconnect_cap, options_.reconnect_initial);
}

ModbusBus::~ModbusBus() { stop(); }

void ModbusBus::start() {
  if (worker_.joinable()) return;
  stopping_.store(false, std::memory_order_release);
  worker_ = std::thread([this] { run(); });
}

void ModbusBus::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_.store(true, std::memory_order_release);
  }
  wake_cv_.notify_all();
  connection_->shutdown_now();
  if (worker_.joinable()) worker_.join();
}

Accepted ModbusBus::set_desired(const zones::Point& point, double value) { return desire(point, value, false); }

Accepted ModbusBus::rewrite_desired(const zones::Point& point, double value) { return desire(point, value, true); }

Accepted ModbusBus::desire(const zones::Point& point, double value, bool rewrite) {
  auto it = output_of_.find(&point);
  if (it == output_of_.end()) {
    if (point.device && point.device->bus != bus_) return make_error(point.id + " is not on bus " + bus_->id());
    if (point.disabled) return make_error(point.id + " is disabled for this device and is never written");
    return make_error(point.id + " is not an output and cannot be set");
  }
  if (auto encoded = encode(*point.map, value); !encoded) return make_error(point.id + ": " + encoded.error().message);
  {
    std::lock_guard lock(mutex_);
    Output& out = outputs_[it->second];
    if (!rewrite && out.desired && *out.desired == value) return std::monostate{};  // unchanged: nothing to write
    out.desired = value;
    ++out.seq;
    out.retry_at = {};
    wake_ = true;
  }
  wake_cv_.notify_one();
  return std::monostate{};
}

std::vector<DeviceHealth> ModbusBus::health() const {
  std::lock_guard lock(status_mutex_);
  std::vector<DeviceHealth> out;
  out.reserve(health_.size());
  for (const auto& h : health_) out.push_back(h.snapshot());
  return out;
}

std::vector<DeviceHealth> ModbusBus::failing() const {
  std::lock_guard lock(status_mutex_);
  std::vector<DeviceHealth> out;
  for (const auto& h : health_) {
    if (h.failing()) out.push_back(h.snapshot());
  }
  return out;
}

DeviceCount ModbusBus::device_count() const {
  std::lock_guard lock(status_mutex_);
  DeviceCount count;
  count.devices = static_cast<int>(health_.size());
  count.failing = static_cast<int>(std::count_if(health_.begin(), health_.end(), [](const auto& h) { return h.failing(); }));
  return count;
}

BusStats ModbusBus::stats() const {
  std::lock_guard lock(status_mutex_);
  return stats_;
}

void ModbusBus::wait_until(SteadyTime until) {
  std::unique_lock lock(mutex_);
  wake_cv_.wait_until(lock, until, [&] { return wake_ || stopping(); });
  wake_ = false;
}

void ModbusBus::run() {
  spdlog::info("modbus: bus {} ({}) starting: {} read requests for {} points, {} outputs", bus_->id(),
               describe(*bus_), plan_.size(), trackers_.size(), outputs_.size());
  Backoff backoff(options_.reconnect_initial, options_.reconnect_cap);
  while (!stopping()) {
    if (!connection_->connected()) {
      if (!connect_once()) {
        flush_readings(true);
        wait_until(steady_clock::now() + backoff.next());
        continue;
      }
      backoff.reset();
    }
    write_pending();
    if (stopping()) break;
    if (!connection_->connected()) continue;

    Poll* due = next_poll();
    const auto now = steady_clock::now();
    if (due && due->next_due <= now) {
      poll(*due);
      flush_readings(false);
      continue;
    }
    flush_readings(true);
    wait_until(due ? due->next_due : now + milliseconds(1000));
  }
  flush_readings(true);
  connection_->close();
  spdlog::info("modbus: bus {} stopped", bus_->id());
}

bool ModbusBus::connect_once() {
  const TxStatus status = connection_->connect();
  const TimeMs now = clock_.now_ms();
  if (!status.ok()) {
    const std::string error = "cannot connect to " + describe(*bus_) + ": " + status.message;
    {
      std::lock_guard lock(status_mutex_);
      ++stats_.connect_failures;
      stats_.connected = false;
      if (stats_.last_error != error) spdlog::warn("modbus: bus {}: {}", bus_->id(), error);
      stats_.last_error = error;
    }
    // Every device on the bus is unreachable; that counts towards their offline state.
    for (std::size_t d = 0; d < devices_.size(); ++d) {
      bool changed = false;
      {
        std::lock_guard lock(status_mutex_);
        changed = health_[d].record_unreachable(error, now);
      }
      if (changed) on_device_offline(d, error);
    }
    return false;
  }
  {
    std::lock_guard lock(status_mutex_);
    ++stats_.connects;
    stats_.connected = true;
  }
  spdlog::info("modbus: bus {} connected to {}", bus_->id(), describe(*bus_));
  // Polls missed while disconnected are not back-pressure: start the schedule afresh. Not for an
  // offline device: it keeps its one probe per period, or a device that resets the connection on
  // every request would be probed again at once after each reconnect, hundreds of times a second.
  const auto now_steady = steady_clock::now();
  {
    std::lock_guard lock(status_mutex_);
    for (auto& p : polls_) {
      if (!health_[p.device].offline()) p.next_due = now_steady;
    }
  }
  // The devices may have restarted with defaults: every output is written again.
  std::lock_guard lock(mutex_);
  for (auto& out : outputs_) {
    out.force = out.desired.has_value();
    out.retry_at = {};
  }
  return true;
}

void ModbusBus::pace_before_transaction() {
  if (min_tx_spacing_.count() == 0) return;
  // RS-485 devices need silence between frames; a stop still interrupts the wait.
  if (steady_clock::now() < next_tx_allowed_) wait_until(next_tx_allowed_);
  while (!stopping() && steady_clock::now() < next_tx_allowed_) std::this_thread::sleep_until(next_tx_allowed_);
}

void ModbusBus::record(std::size_t device, Transaction kind, const TxStatus& status, std::uint32_t latency_us,
                       const std::string& error) {
  const Outcome outcome = outcome_of(status.kind);
  bool changed = false;
  bool online = false;
  bool offline = false;
  {
    // One lock per transaction for the bus's counters and the device's health together.
    std::lock_guard lock(status_mutex_);
    ++(kind == Transaction::read ? stats_.reads : stats_.writes);
    if (outcome != Outcome::ok) stats_.last_error = error;
    stats_.discarded_replies += status.discarded;
    changed = health_[device].record(outcome, status.kind == TxKind::timeout, latency_us, error, clock_.now_ms());
    online = health_[device].online();
    offline = health_[device].offline();
  }
  if (!changed) return;
  if (online) on_device_online(device);
  if (offline) on_device_offline(device, error);
}

void ModbusBus::on_device_online(std::size_t d) {
  DeviceHealth snapshot;
  {
    std::lock_guard lock(status_mutex_);
    snapshot = health_[d].snapshot();
  }
  spdlog::info("modbus: device {} (bus {}, unit {}) is online", snapshot.device_id, bus_->id(), snapshot.unit);
  sink_.bus_device_health(std::move(snapshot));
  // Read everything now and re-apply every output: the device may have lost its state.
  const auto now = steady_clock::now();
  for (auto p : devices_[d].polls) polls_[p].next_due = std::min(polls_[p].next_due, now);
  std::lock_guard lock(mutex_);
  for (auto o : devices_[d].outputs) {
    outputs_[o].force = outputs_[o].desired.has_value();
    outputs_[o].retry_at = {};
  }
}

void ModbusBus::on_device_offline(std::size_t d, const std::string& error) {
  DeviceHealth snapshot;
  {
    std::lock_guard lock(status_mutex_);
    snapshot = health_[d].snapshot();
  }
  spdlog::warn("modbus: device {} (bus {}, unit {}) is offline: {}", snapshot.device_id, bus_->id(), snapshot.unit,
               error);
  sink_.bus_device_health(std::move(snapshot));
  const TimeMs now = clock_.now_ms();
  for (auto t : devices_[d].trackers) {
    if (auto reading = trackers_[t].on_no_answer(true, error, now)) batch_.push_back(std::move(*reading));
  }
}

ModbusBus::Poll* ModbusBus::next_poll() {
  Poll* best = nullptr;
  for (auto& d : devices_) {
    const bool offline = device_offline(static_cast<std::size_t>(&d - devices_.data()));
    // An offline device gets one probe request per period instead of its whole plan, so a dead
    // device costs one timeout per period and does not starve the others on a serial line.
    const std::size_t n = offline ? std::min<std::size_t>(1, d.polls.size()) : d.polls.size();
    for (std::size_t i = 0; i < n; ++i) {
      Poll& p = polls_[d.polls[i]];
      if (!best || p.next_due < best->next_due) best = &p;
    }
  }
  return best;
}

void ModbusBus::poll(Poll& p) {
  const auto now = steady_clock::now();
  const auto period = duration_cast<steady_clock::duration>(p.request.period);
  // Back-pressure: a poll is never queued twice. Periods that passed while the bus was busy are
  // skipped and counted, and the schedule keeps its phase.
  const auto late = now - p.next_due;
  const auto missed = late >= period ? late / period : 0;
  p.next_due += period * (missed + 1);
  if (missed > 0) {
    std::lock_guard lock(status_mutex_);
    stats_.skipped_polls += static_cast<std::uint64_t>(missed);
  }

  const ReadRequest& r = p.request;
  std::uint16_t* words = read_buffer_.data();  // sized for the largest read at construction
  pace_before_transaction();
  if (stopping()) return;
  const auto t0 = steady_clock::now();
  const TxStatus status = connection_->read(r.device->config->unit(), r.table, r.start, r.count, words);
  const auto t1 = steady_clock::now();
  next_tx_allowed_ = t1 + min_tx_spacing_;
  const auto latency = static_cast<std::uint32_t>(duration_cast<microseconds>(t1 - t0).count());
  const TimeMs time = clock_.now_ms();
  const std::string error =
      status.ok() ? std::string() : status.message + " (unit " + std::to_string(r.device->config->unit()) + ", " +
                                        where(r.table, r.start, r.count) + ")";
  record(p.device, Transaction::read, status, latency, error);

  if (status.ok()) {
    for (std::size_t i = 0; i < r.points.size(); ++i) {
      const auto& planned = r.points[i];
      const auto span = std::span<const std::uint16_t>(words + planned.offset, register_count(*planned.point->map));
      auto value = decode(*planned.point->map, span);
      PointTracker& tracker = trackers_[p.trackers[i]];
      if (!value) {
        batch_.push_back(tracker.on_bad(value.error().message, time));
        continue;
      }
      batch_.push_back(tracker.on_value(*value, time));
      if (planned.point->output()) check_read_back(*planned.point, span, *value);
    }
  } else if (status.kind == TxKind::exception || (status.kind == TxKind::garbage && !device_offline(p.device))) {
    for (auto t : p.trackers) batch_.push_back(trackers_[t].on_bad(error, time));
  } else {
    const bool offline = device_offline(p.device);
    for (auto t : p.trackers) {
      if (auto reading = trackers_[t].on_no_answer(offline, error, time)) batch_.push_back(std::move(*reading));
    }
  }
}

void ModbusBus::check_read_back(const zones::Point& point, std::span<const std::uint16_t> words, double value) {
  auto it = output_of_.find(&point);
  if (it == output_of_.end()) return;
  Output& out = outputs_[it->second];
  double desired = 0;
  {
    std::lock_guard lock(mutex_);
    if (!out.desired) return;  // nothing desired yet: the device's value is not ours to judge
    // A value still waiting for its first write attempt is not applied yet, but nothing failed.
    if (out.done_seq != out.seq && out.failed_seq != out.seq) return;
    desired = *out.desired;
  }
  // The comparison is with the desired value, not with the last write that succeeded: a write that
  // was refused or lost leaves the device at an older value that the last success would call right.
  auto encoded = encode(*point.map, desired);
  const bool same = encoded && std::equal(words.begin(), words.end(), encoded->span().begin(), encoded->span().end());
  const bool was_verify = out.verify;
  out.verify = false;
  if (same) {
    out.mismatch_reported = false;
    return;
  }
  if (!out.mismatch_reported) {
    spdlog::warn("modbus: {} is not applied: the device holds {}, {} is desired", point.id, value, desired);
    sink_.bus_readback_mismatch(point, desired, value);
    out.mismatch_reported = true;
  }
  if (!was_verify) {
    // The output drifted later (a wall panel, a device reset) or a write failed: reconcile it once
    // more. Right after a write that the device acknowledged, the mismatch is only reported, so a
    // device that clamps values is not hammered.
    std::lock_guard lock(mutex_);
    out.force = true;
  }
}

void ModbusBus::write_pending() {
  struct Snapshot {
    std::size_t output;
    double value;
    std::uint64_t seq;
  };
  std::vector<PendingWrite> pending;
  std::vector<Snapshot> snapshots;
  const auto now = steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    for (std::size_t o = 0; o < outputs_.size(); ++o) {
      Output& out = outputs_[o];
      if (!out.desired || (out.seq == out.done_seq && !out.force) || now < out.retry_at) continue;
      const DeviceState& device = devices_[out.device];
      const bool offline = device_offline(out.device);
      // An offline device is written when it returns (on_device_online); one with nothing to poll
      // is probed by the write itself.
      if (offline && !device.polls.empty()) continue;
      auto encoded = encode(*out.point->map, *out.desired);
      if (!encoded) {  // validated in set_desired; only a profile change could get here
        out.done_seq = out.seq;
        out.force = false;
        sink_.bus_write_result(*out.point, *out.desired, encoded.error());
        continue;
      }
      const auto span = encoded->span();
      pending.push_back(PendingWrite{out.point, std::vector<std::uint16_t>(span.begin(), span.end())});
      snapshots.push_back(Snapshot{o, *out.desired, out.seq});
    }
  }
  if (pending.empty()) return;
  std::unordered_map<const zones::Point*, Snapshot> snapshot_of;
  for (const auto& s : snapshots) snapshot_of.emplace(outputs_[s.output].point, s);

  for (const WriteRequest& w : plan_writes(std::move(pending))) {
    if (stopping() || !connection_->connected()) return;
    const std::size_t device = output_of_.count(w.points.front()) ? outputs_[output_of_.at(w.points.front())].device : 0;
    pace_before_transaction();
    if (stopping()) return;
    const auto t0 = steady_clock::now();
    const TxStatus status = connection_->write(w.device->config->unit(), w.table, w.start, w.words);
    const auto t1 = steady_clock::now();
    next_tx_allowed_ = t1 + min_tx_spacing_;
    const auto latency = static_cast<std::uint32_t>(duration_cast<microseconds>(t1 - t0).count());
    const std::string error =
        status.ok() ? std::string()
                    : status.message + " (unit " + std::to_string(w.device->config->unit()) + ", writing " +
                          where(w.table, w.start, static_cast<unsigned>(w.words.size())) + ")";
    record(device, Transaction::write, status, latency, error);

    const auto done = steady_clock::now();
    for (const auto* point : w.points) {
      const Snapshot& s = snapshot_of.at(point);
      Output& out = outputs_[s.output];
      {
        std::lock_guard lock(mutex_);
        if (status.ok()) {
          out.done_seq = s.seq;
          out.force = false;
          out.mismatch_reported = false;  // what the device holds now is judged afresh
        } else {
          // Refused (an exception: a device that is busy or failing now may take it later), garbled
          // or unanswered: the device does not hold the value, so it is written again, after a
          // pause, until it lands or a newer value supersedes it.
          out.failed_seq = s.seq;
          out.retry_at = done + kWriteRetry;
        }
      }
      if (status.ok()) {
        out.verify = point->map->read_back();
        if (auto it = poll_of_.find(point); it != poll_of_.end()) polls_[it->second].next_due = done;  // read back now
        sink_.bus_write_result(*point, s.value, std::nullopt);
      } else {
        sink_.bus_write_result(*point, s.value, make_error(point->id + ": " + error));
      }
    }
  }
}

void ModbusBus::flush_readings(bool force) {
  if (batch_.empty()) return;
  if (!force && batch_.size() < options_.max_batch_readings) {
    const auto now = steady_clock::now();
    if (batch_started_ == SteadyTime{}) batch_started_ = now;
    if (now - batch_started_ < options_.max_batch_age) return;
  }
  sink_.bus_readings(std::move(batch_));
  // A fresh block of the same, bounded size: filling it never reallocates (and never moves the
  // readings already in it), and the allocator hands back a recently freed block, so a busy bus
  // causes no page faults either.
  batch_ = {};
  batch_.reserve(batch_capacity_);
  batch_started_ = {};
}

}  // namespace atmo::modbus
