// The telemetry store: readings, per-minute rollups, the event log, the daily compliance index and
// the controller's restart state, in one SQLite database (WAL) written by ONE writer thread.
// The controller thread hands work over in O(n) moves under a short lock and never waits for disk;
// the writer commits batches at most max_batch_age old, so a kill -9 loses at most that much.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "controller/telemetry/telemetry_reader.hpp"
#include "controller/telemetry/telemetry_types.hpp"
#include "controller/telemetry/telemetry_writer.hpp"
#include "zones/clock.hpp"
#include "zones/result.hpp"

namespace atmo::telemetry {

/// Threading: append/put_state/erase_state/append_event/put_daily_index/set_max_database_bytes
/// never block on I/O and may be called from any thread (the controller's io_context thread in
/// practice). flush/run_retention/stop block and are for shutdown, tests and maintenance. Queries
/// go through reader() (shared, serialized) or open_reader() (a connection of your own).
///
/// When a write fails (disk full, read-only file, I/O error) nothing queued is thrown away: the
/// batch goes back to the head of the queue, health() turns degraded with the error, and the writer
/// retries with exponential backoff until the write succeeds. Only the queue bound drops readings,
/// oldest first, and health() counts every one.
class TelemetryStore {
 public:
  /// Opens or creates the database, migrates the schema and starts the writer thread. Fails only
  /// when the file can never be used (newer schema, not an atmo or not a SQLite database): a
  /// start-up failure. If the file cannot be opened for now (missing directory, read-only or full
  /// disk), the store starts degraded, queues, and keeps trying to open it.
  static Result<std::unique_ptr<TelemetryStore>> open(StoreOptions options, const Clock& clock);

  ~TelemetryStore();
  TelemetryStore(const TelemetryStore&) = delete;
  TelemetryStore& operator=(const TelemetryStore&) = delete;

  /// Queues readings for the writer. If the queue exceeds max_queued_readings, the oldest are
  /// dropped and counted. After stop() readings are refused and counted as dropped.
  void append(std::vector<Reading> readings);

  /// Persists a value under `key` (scenes, holds, alarm states, compliance windows). Each call is
  /// atomic; calls for the same key are applied in order, the last one wins.
  void put_state(std::string key, std::string bytes);
  void erase_state(std::string key);
  void append_event(Event event);
  /// Inserts or replaces the row of (date, zone, sense).
  void put_daily_index(DailyIndexRow row);

  /// Caps the database size (0: no cap). When the cap is reached the store degrades as on a full
  /// disk and recovers when the cap is raised or retention frees pages.
  void set_max_database_bytes(std::uint64_t bytes);

  /// Waits until everything handed over before this call is committed (or dropped). False on
  /// timeout, e.g. while the store is degraded, or after stop().
  bool flush(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// Runs a whole retention pass now (cutoffs from the store's clock) and waits for it. False on
  /// timeout or when a delete failed.
  bool run_retention(std::chrono::milliseconds timeout = std::chrono::seconds(60));

  /// Commits what is queued (trying for at most options.stop_timeout) and joins the writer.
  /// Idempotent. Readings still queued after the timeout are lost, and logged as such.
  void stop();

  StoreHealth health() const;

  /// The store's own reader, shared by whoever calls it (calls are serialized).
  TelemetryReader& reader() { return *reader_; }
  /// A reader with its own connection, for a thread that queries a lot (an export, the API).
  Result<std::unique_ptr<TelemetryReader>> open_reader() const;

  /// Like reader().get_state, but also sees put_state/erase_state calls not yet committed.
  Result<std::optional<std::string>> get_state(const std::string& key);

  const StoreOptions& options() const { return options_; }

  /// Test seam: every write fails with SQLITE_READONLY (as on a read-only file or mount) until
  /// called again with false. Needed because tests run as root, where file modes do not bite.
  void set_read_only_for_testing(bool read_only);

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  TelemetryStore(StoreOptions options, const Clock& clock, std::unique_ptr<TelemetryWriter> writer,
                 std::string open_error);
  Result<bool> ensure_writer();
  void writer_loop();
  void commit_batch(std::unique_lock<std::mutex>& lock);
  Result<bool> commit_one_by_one(PendingWrites& batch, std::size_t& rejected_readings,
                                 std::size_t& rejected_other);
  void retention_step(std::unique_lock<std::mutex>& lock, SteadyTime now);
  void apply_settings(std::unique_lock<std::mutex>& lock);
  void enforce_bounds_locked();
  bool control_pending_locked() const;

  const StoreOptions options_;
  const Clock& clock_;
  std::unique_ptr<TelemetryWriter> writer_;  ///< only the writer thread; null until the file opens
  /// True while the writer must reopen the file: readers then close their connections after each
  /// call, so that the reopened writer gets a WAL index it can write (see TelemetryReader::let_go_).
  const std::shared_ptr<std::atomic<bool>> readers_let_go_ = std::make_shared<std::atomic<bool>>(false);
  std::unique_ptr<TelemetryReader> reader_;  ///< serializes itself

  // Writer-thread-only state.
  std::optional<RetentionPass> retention_pass_;
  SteadyTime next_retention_;
  std::chrono::milliseconds backoff_;
  std::uint64_t max_database_bytes_;  ///< the cap in force, re-applied when the file is reopened
  bool query_only_ = false;

  mutable std::mutex mutex_;      ///< protects every member below (queues, counters, health, flags)
  std::condition_variable wake_;  ///< the writer waits on it for work
  std::condition_variable done_;  ///< flush/run_retention wait on it for the writer's progress
  std::deque<Reading> queue_;
  std::optional<SteadyTime> first_queued_at_;  ///< when the oldest queued reading arrived
  std::size_t in_flight_readings_ = 0;
  PendingWrites control_;  ///< state, events and daily rows (its readings stay empty)
  std::map<std::string, std::optional<std::string>> in_flight_state_;
  // State, events and daily rows the writer has in hand: health() counts them as queued until
  // they are committed or back in the queue (counting only the state undercounted events).
  std::size_t in_flight_other_ = 0;
  std::optional<std::uint64_t> pending_max_bytes_;
  std::optional<bool> pending_query_only_;
  std::uint64_t readings_submitted_ = 0;
  std::uint64_t readings_removed_ = 0;  ///< committed or dropped, in queue order
  std::uint64_t control_submitted_ = 0;
  std::uint64_t control_done_ = 0;
  std::uint64_t settings_submitted_ = 0;
  std::uint64_t settings_done_ = 0;
  int flush_waiters_ = 0;
  bool retention_requested_ = false;
  bool retention_in_progress_ = false;
  std::uint64_t retention_passes_ = 0;
  bool last_retention_ok_ = true;
  std::optional<SteadyTime> retry_at_;
  bool stop_ = false;
  bool stopped_ = false;
  // Health.
  std::string error_;
  bool degraded_ = false;
  std::uint64_t dropped_readings_ = 0;
  std::uint64_t dropped_events_ = 0;
  std::uint64_t committed_readings_ = 0;
  std::uint64_t failed_commits_ = 0;
  std::uint64_t failures_in_row_ = 0;
  std::uint64_t rejected_writes_ = 0;
  std::optional<TimeMs> last_commit_ms_;

  std::thread thread_;  ///< last: starts after every member above is constructed
};

}  // namespace atmo::telemetry
