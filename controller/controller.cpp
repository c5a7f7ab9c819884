#include "controller/controller.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <boost/json.hpp>
#include <google/protobuf/util/json_util.h>
#include <spdlog/spdlog.h>

#include "config/api.pb.h"
#include "controller/telemetry/clock_mark.hpp"
#include "zones/number_format.hpp"
#include "zones/venue_clock.hpp"

namespace atmo::controller {
namespace json = boost::json;

namespace {

std::unique_ptr<zones::Schedule> make_schedule(std::shared_ptr<const zones::Venue> venue) {
  auto schedule = zones::Schedule::create(std::move(venue));
  if (!schedule) throw std::runtime_error("cannot build the schedule: " + schedule.error().message);
  return std::make_unique<zones::Schedule>(std::move(schedule).value());
}

std::string compliance_kind(zones::ComplianceEvent::Kind kind) {
  using K = zones::ComplianceEvent::Kind;
  switch (kind) {
    case K::alarm_raised: return "alarm.raised";
    case K::alarm_cleared: return "alarm.cleared";
    case K::checklist_confirmed: return "checklist.confirmed";
    case K::sense_changed: return "compliance.sense";
    default: return "compliance.state";
  }
}

constexpr auto kStateScenes = "scenes";
constexpr auto kStateCompliance = "compliance";
constexpr auto kStateSchedule = "schedule";
constexpr auto kStateExceptions = "schedule.exceptions";

}  // namespace

std::string telemetry_database_path(const zones::Venue& venue, const std::filesystem::path& state_dir) {
  // The default is relative too: joined once, so a relative --state-dir is not given twice.
  const std::filesystem::path path = telemetry::options_from_config(venue.config().storage(), venue.id() + ".db").path;
  return (path.is_relative() ? state_dir / path : path).string();
}

Controller::Controller(boost::asio::io_context& io, std::shared_ptr<const zones::Venue> venue, const Clock& clock,
                       SoundSink& sound, ControllerOptions options)
    : io_(io),
      venue_(std::move(venue)),
      clock_(clock),
      options_(std::move(options)),
      schedule_(make_schedule(venue_)),
      events_(clock_),
      scenes_(venue_, clock_, *schedule_, *this, sound, events_),
      runner_(venue_, clock_, *schedule_, scenes_, events_),
      compliance_(venue_, *schedule_, clock_.now_ms()),
      tick_timer_(io_) {
  // options_.tick is venue time. On a fast venue clock the timer fires tick/rate apart in real
  // time, but no faster than the host can keep up with; each tick then covers more venue time.
  constexpr double kFloorRealMs = 10.0;
  const double real_ms = clock_.real_period_ms(static_cast<double>(options_.tick.count()), kFloorRealMs);
  real_tick_ = std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double, std::milli>(real_ms));
  venue_tick_ms_ = std::max<TimeMs>(options_.tick.count(), static_cast<TimeMs>(std::llround(real_ms * clock_.rate())));
  scenes_.set_tick(venue_tick_ms_);
  runner_.set_tick_span(std::max<TimeMs>(1000, venue_tick_ms_));
  // Buses are created (not connected) now: a transport that cannot be set up is a start-up failure.
  devices_ = std::make_unique<modbus::DeviceSet>(venue_, io_.get_executor(),
                                                static_cast<modbus::DeviceSetListener&>(*this), clock_, options_.bus);
}

Controller::~Controller() { stop(); }

Status Controller::start() {
  if (started_) return ok_status();
  auto store_options = telemetry::options_from_config(venue_->config().storage(), "");
  store_options.path = telemetry_database_path(*venue_, options_.state_dir);
  if (auto same_clock = telemetry::check_clock_mark(store_options.path, clock_.simulated()); !same_clock) {
    return same_clock.error();
  }
  auto store = telemetry::TelemetryStore::open(store_options, clock_);
  if (!store) return make_error("cannot open the telemetry database " + store_options.path + ": " + store.error().message);
  store_ = std::move(store).value();
  // Every event reaches the database; the ring in the bus serves the API meanwhile.
  events_.subscribe([this](const Event& e) {
    if (store_) store_->append_event(e);
    if (e.kind.rfind("scene.", 0) == 0 || e.kind.rfind("alarm.", 0) == 0 || e.kind.rfind("checklist.", 0) == 0) {
      state_dirty_ = true;
    }
  });

  if (auto mark = store_->get_state(std::string(telemetry::kClockMarkKey)); mark && !mark.value()) {
    store_->put_state(std::string(telemetry::kClockMarkKey), std::string(telemetry::clock_mark(clock_.simulated())));
  }
  restore_state();
  devices_->start();
  started_ = true;
  runner_.tick();  // catch the schedule up before anything else happens
  day_part_ = runner_.day_part();
  handle(compliance_.set_day_part(day_part_, clock_.now_ms()));
  save_state();
  arm_tick();
  Event e;
  e.kind = "controller.started";
  e.who = "controller";
  e.message = "atmo started for " + venue_->id() + " (" + std::to_string(venue_->devices().size()) + " devices, day part '" +
              day_part_ + "')";
  if (clock_.simulated()) {
    e.message += " on simulated time: venue clock at " + format_venue_time(clock_.now_ms(), venue_->config().time_zone()) +
                 ", rate x" + zones::format_number(clock_.rate());
  }
  events_.publish(std::move(e));
  return ok_status();
}

void Controller::stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  tick_timer_.cancel();
  save_state();
  Event e;
  e.kind = "controller.stopped";
  e.who = "controller";
  e.message = "atmo stopped";
  events_.publish(std::move(e));
  devices_->stop();
  if (store_) store_->stop();
}

void Controller::restore_state() {
  // Before the scenes: the exceptions decide which program is in force now.
  auto exceptions = store_->get_state(kStateExceptions);
  if (exceptions && exceptions.value()) {
    v1::ExceptionList list;
    if (!google::protobuf::util::JsonStringToMessage(**exceptions, &list).ok()) {
      spdlog::warn("restart state: the runtime date exceptions do not parse; ignored");
    } else if (auto ok = schedule_->set_runtime_exceptions({list.exceptions().begin(), list.exceptions().end()}); !ok) {
      // The venue file changed under them (a program removed, an overlapping exception added).
      spdlog::warn("restart state: runtime date exceptions ignored: {}", ok.error().message);
    }
  }
  auto scenes = store_->get_state(kStateScenes);
  if (scenes && scenes.value()) {
    if (auto ok = scenes_.restore_json(**scenes); !ok) spdlog::warn("restart state: {}", ok.error().message);
  }
  auto schedule = store_->get_state(kStateSchedule);
  if (schedule && schedule.value()) {
    json::error_code ec;
    auto doc = json::parse(**schedule, ec);
    if (!ec && doc.is_object() && doc.as_object().contains("at") && doc.at("at").is_int64()) {
      runner_.restore_last_applied(doc.at("at").as_int64(), std::string(doc.at("scene").as_string()));
    }
  }
  auto compliance = store_->get_state(kStateCompliance);
  if (compliance && compliance.value()) {
    auto snapshot = zones::parse_compliance_snapshot(**compliance);
    if (!snapshot) {
      spdlog::warn("restart state: compliance snapshot ignored: {}", snapshot.error().message);
    } else if (auto notes = compliance_.restore(*snapshot); notes) {
      for (const auto& n : *notes) spdlog::info("restart state: {}", n);
    }
  }
  handle(compliance_.advance_to(clock_.now_ms()));
}

Status Controller::put_date_exception(v1::DateException exception, const std::string& who) {
  auto parsed_until = zones::LocalDate::parse(exception.until().empty() ? exception.date() : exception.until());
  if (!parsed_until) return parsed_until.error();
  if (*parsed_until < schedule_->local_date(clock_.now_ms())) {
    return make_error("exception " + exception.date() + " has already ended (venue time " +
                      schedule_->local_date(clock_.now_ms()).to_string() + ")");
  }
  exception.set_added_by(who);
  exception.set_added_at_ms(clock_.now_ms());
  std::vector<v1::DateException> next;
  bool replaced = false;
  for (const auto& e : schedule_->runtime_exceptions()) {
    if (e.date() == exception.date()) {
      replaced = true;
      continue;
    }
    next.push_back(e);
  }
  std::string what = std::string(replaced ? "replaced" : "added") + " date exception " + exception.date() +
                     (exception.until().empty() ? "" : ".." + exception.until()) + ": program '" + exception.program() + "'" +
                     (exception.reason().empty() ? "" : " (" + exception.reason() + ")");
  next.push_back(std::move(exception));
  std::sort(next.begin(), next.end(), [](const auto& a, const auto& b) { return a.date() < b.date(); });
  return replace_runtime_exceptions(std::move(next), who, what);
}

Status Controller::remove_date_exception(std::string_view date, const std::string& who) {
  std::vector<v1::DateException> next;
  std::string what;
  for (const auto& e : schedule_->runtime_exceptions()) {
    if (e.date() == date) {
      what = "removed date exception " + e.date() + (e.until().empty() ? "" : ".." + e.until()) + ": program '" +
             e.program() + "'";
      continue;
    }
    next.push_back(e);
  }
  if (what.empty()) {
    for (const auto& e : venue_->config().exceptions()) {
      if (e.date() == date) return make_error("the exception " + std::string(date) + " is in the venue file: edit the file to remove it");
    }
    return make_error("no exception added at run time starts on " + std::string(date));
  }
  return replace_runtime_exceptions(std::move(next), who, what);
}

Status Controller::replace_runtime_exceptions(std::vector<v1::DateException> exceptions, const std::string& who,
                                              const std::string& what) {
  v1::ExceptionList list;
  for (const auto& e : exceptions) *list.add_exceptions() = e;
  if (auto ok = schedule_->set_runtime_exceptions(std::move(exceptions)); !ok) return ok;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(list, &json);
  if (store_) store_->put_state(kStateExceptions, std::move(json));
  Event e;
  e.kind = "schedule.exception";
  e.who = who;
  e.message = who + " " + what;
  events_.publish(std::move(e));
  // State-based: if today's program changed, the change now in force applies at once.
  if (started_) runner_.tick();
  return ok_status();
}

void Controller::save_state() {
  if (!store_) return;
  store_->put_state(kStateScenes, scenes_.snapshot_json());
  store_->put_state(kStateCompliance, zones::serialize(compliance_.snapshot()));
  if (auto at = runner_.last_applied_at()) {
    auto active = runner_.active();
    store_->put_state(kStateSchedule, json::serialize(json::object{{"at", *at}, {"scene", active ? active->venue_scene : ""}}));
  }
  // Today's index so far, so a report of today survives a restart too.
  for (const auto& d : compliance_.today()) put_daily_index(d);
  last_save_ = std::chrono::steady_clock::now();
  state_dirty_ = false;
}

void Controller::arm_tick() {
  tick_timer_.expires_after(real_tick_);
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    on_tick();
    arm_tick();
  });
}

void Controller::on_tick() {
  ++ticks_;
  scenes_.tick();
  const auto per_second = std::max<std::uint64_t>(1, 1000 / static_cast<std::uint64_t>(venue_tick_ms_));
  if (ticks_ % per_second != 0) return;
  runner_.tick();
  const TimeMs now = clock_.now_ms();
  handle(compliance_.advance_to(now));
  if (const std::string part = runner_.day_part(); part != day_part_) {
    day_part_ = part;
    handle(compliance_.set_day_part(part, now));
  }
  check_store_health();
  if (state_dirty_ || std::chrono::steady_clock::now() - last_save_ >= options_.save_every) save_state();
}

void Controller::handle(const zones::ComplianceUpdate& update) {
  for (const auto& ev : update.events) {
    if (ev.kind == zones::ComplianceEvent::Kind::state_changed) continue;  // the per-sense change says it
    Event e;
    e.time_ms = ev.at;
    e.kind = compliance_kind(ev.kind);
    e.zone = ev.zone;
    e.subject = ev.item.empty() ? std::string(zones::to_string(ev.sense)) : ev.item;
    e.who = ev.who.empty() ? "compliance" : ev.who;
    e.message = ev.message;
    json::object d{{"sense", zones::to_string(ev.sense)}, {"from", zones::to_string(ev.from)},
                   {"to", zones::to_string(ev.to)}, {"checklist", ev.checklist}};
    if (ev.kind == zones::ComplianceEvent::Kind::alarm_raised || ev.kind == zones::ComplianceEvent::Kind::alarm_cleared) {
      d["start_ms"] = ev.start;
      if (ev.end) d["end_ms"] = ev.end;
      if (ev.duration_ms) d["duration_ms"] = ev.duration_ms;
      if (ev.worst_value) d["worst_value"] = *ev.worst_value;
    }
    e.details_json = json::serialize(d);
    events_.publish(std::move(e));
  }
  for (const auto& d : update.finished_days) put_daily_index(d);
}

void Controller::put_daily_index(const zones::DailyIndex& d) {
  // A day with no measured applicable time has no index (neither 0 % nor 100 %): nothing to store.
  const auto pct = d.percent();
  if (!store_ || !pct) return;
  store_->put_daily_index(telemetry::DailyIndexRow{d.day, d.zone, std::string(v1::Sense_Name(d.sense)), *pct,
                                                   (d.in_standard_ms + d.out_of_standard_ms) / 1000,
                                                   d.in_standard_ms / 1000, d.no_data_ms / 1000});
}

Status Controller::apply_zone_scene(std::string_view zone, std::string_view scene, const std::string& who, Hold hold,
                                    const std::string& why) {
  if (hold.kind == Hold::Kind::none) hold.kind = Hold::Kind::until_next_change;  // manual choices hold
  return scenes_.apply_zone_scene(zone, scene, zones::ChangeCause{who, why}, hold);
}

Status Controller::apply_venue_scene(std::string_view scene, const std::string& who, Hold hold, const std::string& why) {
  if (hold.kind == Hold::Kind::none) hold.kind = Hold::Kind::until_next_change;
  return scenes_.apply_venue_scene(scene, zones::ChangeCause{who, why}, hold);
}

Result<zones::ComplianceUpdate> Controller::confirm_checklist(std::string_view zone, std::string_view item,
                                                              const std::string& who) {
  auto update = compliance_.confirm(zone, item, who, clock_.now_ms());
  if (update) handle(*update);
  return update;
}

void Controller::on_readings(std::vector<modbus::PointReading> readings) {
  std::vector<telemetry::Reading> rows;
  rows.reserve(readings.size());
  for (const auto& r : readings) {
    if (!r.point) continue;
    live_[r.point->id] = LiveReading{r.time_ms, r.value, r.quality, r.error};
    rows.push_back(telemetry::Reading{r.point->id, r.time_ms, r.value, r.quality});
    if (r.point->output() && r.quality == v1::QUALITY_GOOD) scenes_.note_output_reading(*r.point, r.value);
    if (r.point->id == venue_->config().safety().fire_alarm_point()) check_fire_alarm(r);
    handle(compliance_.feed(r.point->id, r.value, r.quality, r.time_ms));
  }
  if (store_) store_->append(std::move(rows));
}

void Controller::check_fire_alarm(const modbus::PointReading& reading) {
  if (reading.quality == v1::QUALITY_GOOD) {
    fire_input_lost_ = false;
    scenes_.set_fire_alarm(reading.value >= 0.5, "input " + reading.point->id);
    return;
  }
  // A lost input keeps the last known alarm state: never clear an alarm on silence.
  if (!fire_input_lost_) {
    fire_input_lost_ = true;
    Event e;
    e.kind = "safety.fire_input.lost";
    e.zone = reading.point->zone;
    e.subject = reading.point->id;
    e.who = "safety";
    e.message = "Fire alarm input " + reading.point->id + " is not readable (" + reading.error +
                "): check the interface module; the last known state holds";
    events_.publish(std::move(e));
  }
}

void Controller::on_device_health(const modbus::DeviceHealth& health) {
  Event e;
  e.kind = health.online ? "device.online" : "device.offline";
  e.zone = health.device ? health.device->zone : "";
  e.subject = health.device_id;
  e.who = "modbus";
  e.message = "Device " + health.device_id + " on bus " + health.bus_id + " unit " + std::to_string(health.unit) +
              (health.online ? " is back online" : " is offline: " + health.last_error);
  events_.publish(std::move(e));
}

void Controller::on_write_result(const zones::Point& point, double value, const std::optional<Error>& error) {
  if (!error) {
    write_errors_.erase(point.id);
    return;
  }
  auto [it, inserted] = write_errors_.try_emplace(point.id, error->message);
  if (!inserted && it->second == error->message) return;
  it->second = error->message;
  Event e;
  e.kind = "output.write_failed";
  e.zone = point.zone;
  e.subject = point.id;
  e.who = "modbus";
  e.message = "Writing " + zones::format_number(value) + " to " + point.id + " failed: " + error->message;
  events_.publish(std::move(e));
}

void Controller::on_readback_mismatch(const zones::Point& point, double desired, double actual) {
  Event e;
  e.kind = "output.mismatch";
  e.zone = point.zone;
  e.subject = point.id;
  e.who = "modbus";
  e.message = point.id + " reads back " + zones::format_number(actual) + " although " + zones::format_number(desired) + " was written";
  events_.publish(std::move(e));
}

Status Controller::set_output(const zones::Point& point, double value, Delivery delivery) {
  return delivery == Delivery::always ? devices_->rewrite_desired(point, value) : devices_->set_desired(point, value);
}

void Controller::check_store_health() {
  if (!store_) return;
  const auto health = store_->health();
  const bool degraded = health.state == telemetry::StoreHealth::State::degraded;
  if (degraded == store_degraded_) return;
  store_degraded_ = degraded;
  Event e;
  e.kind = degraded ? "storage.degraded" : "storage.recovered";
  e.who = "telemetry";
  e.message = degraded ? "Readings cannot be stored (" + health.error + "); " + std::to_string(health.queued_readings) +
                             " wait in memory and are written when storage returns"
                       : "Storage works again; queued readings are being written";
  events_.publish(std::move(e));
}

}  // namespace atmo::controller
