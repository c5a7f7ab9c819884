// The daemon's core: wires the venue's buses, the scene engine, the scheduler, the compliance
// engine, the safety rules and the telemetry store together on ONE io_context thread, which owns all
// of their state (no mutex guards controller state). Blocking work runs elsewhere: Modbus on the bus
// workers, SQLite on the store's writer, audio on its own threads; results are posted back here.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "controller/event_bus.hpp"
#include "controller/scene_engine.hpp"
#include "controller/schedule_runner.hpp"
#include "controller/telemetry/telemetry_store.hpp"
#include "drivers/modbus/device_set.hpp"
#include "zones/compliance.hpp"
#include "zones/schedule.hpp"
#include "zones/venue.hpp"

namespace atmo::controller {

struct ControllerOptions {
  /// Where the database lives when the venue names a relative path (and the default name).
  std::filesystem::path state_dir = ".";
  std::chrono::milliseconds tick{250};        ///< fade and safety resolution, in venue time
  std::chrono::milliseconds save_every{5000}; ///< restart state is saved at least this often
  modbus::BusOptions bus;
};

/// The telemetry database of `venue` for a daemon whose state is in `state_dir`: the venue's
/// storage path (relative ones under `state_dir`), else `state_dir/<venue id>.db`.
std::string telemetry_database_path(const zones::Venue& venue, const std::filesystem::path& state_dir);

/// What the tablet and the CLI show of one point.
struct LiveReading {
  TimeMs time_ms = 0;
  double value = 0;
  v1::Quality quality = v1::QUALITY_UNSPECIFIED;
  std::string error;
};

class Controller final : private modbus::DeviceSetListener, private OutputSink {
 public:
  /// Builds every part; nothing runs before start(). Throws on start-up failures (bad time zone,
  /// a bus that cannot be set up).
  Controller(boost::asio::io_context& io, std::shared_ptr<const zones::Venue> venue, const Clock& clock,
             SoundSink& sound, ControllerOptions options = {});
  ~Controller() override;

  /// Opens the store, restores the last scenes, holds, alarms and compliance windows, starts the
  /// buses and the timers, then catches the schedule up. Errors: the database cannot be opened.
  Status start();
  /// Saves the restart state, stops the buses and the store. Idempotent.
  void stop();

  // Everything below is for the controller thread (post to io() from elsewhere).
  Status apply_zone_scene(std::string_view zone, std::string_view scene, const std::string& who, Hold hold = {},
                          const std::string& why = "manual choice");
  Status apply_venue_scene(std::string_view scene, const std::string& who, Hold hold = {},
                           const std::string& why = "manual choice");
  Result<zones::ComplianceUpdate> confirm_checklist(std::string_view zone, std::string_view item, const std::string& who);

  /// A date exception added at run time (a holiday, a private event, a closure): kept in the state
  /// database on top of the venue file's and in force at once (today's program is re-evaluated).
  /// One with the start date of an earlier runtime exception replaces it. Errors: bad dates, an
  /// unknown program, a span that has already ended or overlaps another exception.
  Status put_date_exception(v1::DateException exception, const std::string& who);
  /// Removes the runtime exception starting on `date` (the venue file's stay: edit the file).
  Status remove_date_exception(std::string_view date, const std::string& who);

  const zones::Venue& venue() const { return *venue_; }
  std::shared_ptr<const zones::Venue> venue_ptr() const { return venue_; }
  const Clock& clock() const { return clock_; }
  boost::asio::io_context& io() { return io_; }
  SceneEngine& scenes() { return scenes_; }
  ScheduleRunner& runner() { return runner_; }
  const zones::Schedule& schedule() const { return *schedule_; }
  zones::ComplianceEngine& compliance() { return compliance_; }
  EventBus& events() { return events_; }
  telemetry::TelemetryStore* store() { return store_.get(); }
  modbus::DeviceSet& devices() { return *devices_; }
  const std::map<std::string, LiveReading, std::less<>>& live() const { return live_; }
  bool fire_alarm() const { return scenes_.fire_alarm(); }

 private:
  // DeviceSetListener (on this thread)
  void on_readings(std::vector<modbus::PointReading> readings) override;
  void on_device_health(const modbus::DeviceHealth& health) override;
  void on_write_result(const zones::Point& point, double value, const std::optional<Error>& error) override;
  void on_readback_mismatch(const zones::Point& point, double desired, double actual) override;
  // OutputSink
  Status set_output(const zones::Point& point, double value, Delivery delivery) override;

  void arm_tick();
  void on_tick();
  void handle(const zones::ComplianceUpdate& update);
  void put_daily_index(const zones::DailyIndex& day);
  void check_fire_alarm(const modbus::PointReading& reading);
  void check_store_health();
  void save_state();
  void restore_state();
  Status replace_runtime_exceptions(std::vector<v1::DateException> exceptions, const std::string& who,
                                    const std::string& what);

  boost::asio::io_context& io_;
  std::shared_ptr<const zones::Venue> venue_;
  const Clock& clock_;
  ControllerOptions options_;
  std::unique_ptr<zones::Schedule> schedule_;
  EventBus events_;
  SceneEngine scenes_;
  ScheduleRunner runner_;
  zones::ComplianceEngine compliance_;
  std::unique_ptr<telemetry::TelemetryStore> store_;
  std::unique_ptr<modbus::DeviceSet> devices_;
  boost::asio::steady_timer tick_timer_;
  std::map<std::string, LiveReading, std::less<>> live_;
  std::map<std::string, std::string, std::less<>> write_errors_;  ///< point -> last error (reported once)
  std::string day_part_;
  std::uint64_t ticks_ = 0;
  std::chrono::steady_clock::duration real_tick_{};  ///< timer period in real time
  TimeMs venue_tick_ms_ = 250;                       ///< venue time one tick covers
  std::chrono::steady_clock::time_point last_save_{};
  bool state_dirty_ = false;
  bool store_degraded_ = false;
  bool fire_input_lost_ = false;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace atmo::controller
