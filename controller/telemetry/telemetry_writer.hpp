// The SQL side of the telemetry store's single writer: one read-write connection in WAL mode that
// commits a batch of readings (raw rows plus per-minute rollups), state, events and daily index
// rows in one transaction, and deletes expired rows in small batches. Not thread-safe: only the
// store's writer thread (or a benchmark) uses it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "controller/telemetry/sqlite_connection.hpp"
#include "controller/telemetry/telemetry_types.hpp"

namespace atmo::telemetry {

/// Everything one writer transaction commits.
struct PendingWrites {
  std::vector<Reading> readings;
  std::map<std::string, std::optional<std::string>> state;  ///< nullopt: erase the key
  std::vector<Event> events;
  std::vector<DailyIndexRow> daily;

  bool empty() const {
    return readings.empty() && state.empty() && events.empty() && daily.empty();
  }
};

/// Progress of one retention pass: points are walked one by one so each delete stays small.
struct RetentionPass {
  std::optional<TimeMs> raw_cutoff_ms;     ///< readings older than this go; nullopt: keep forever
  std::optional<TimeMs> rollup_cutoff_ms;  ///< rollups and events older than this go
  std::vector<std::int64_t> point_ids;
  std::size_t next_point = 0;
  enum class Phase { raw, rollup, events, done } phase = Phase::raw;
  std::uint64_t deleted_rows = 0;

  bool done() const { return phase == Phase::done; }
};

class TelemetryWriter {
 public:
  /// Opens or creates the database, switches it to WAL, applies `synchronous` and migrates the
  /// schema. Sets *incompatible when the file can never be used (newer schema, not atmo's).
  static Result<std::unique_ptr<TelemetryWriter>> open(const StoreOptions& options,
                                                       bool* incompatible = nullptr);

  /// Commits all of `writes` in one transaction, or nothing (and then returns the error).
  Result<bool> commit(const PendingWrites& writes, TimeMs now_ms);
  /// True when the last failed commit was refused for its data (a constraint, a value too big):
  /// retrying the same write cannot help, unlike a full disk or an I/O error.
  bool last_failure_was_bad_data() const;
  /// True when this connection cannot write again however often it retries: SQLite opened the
  /// file read-only (the process had no write permission then), or the file refused the last
  /// commit as read-only. A new connection may work once the cause is fixed; this one never will.
  bool needs_reopen() const;

  Result<RetentionPass> begin_retention(TimeMs now_ms, unsigned raw_days, unsigned rollup_days);
  /// Deletes up to `max_rows` expired rows in one transaction and advances the pass.
  Result<bool> retention_step(RetentionPass& pass, std::size_t max_rows);

  /// 0 lifts the cap. Takes effect for the next transaction.
  Result<bool> set_max_database_bytes(std::uint64_t bytes);
  /// Test seam: makes every write fail with SQLITE_READONLY, as a read-only file or mount would.
  Result<bool> set_query_only(bool on);

  Connection& connection() { return db_; }

 private:
  explicit TelemetryWriter(Connection db) : db_(std::move(db)) {}
  Result<bool> prepare_statements();
  Result<std::int64_t> point_id(const std::string& name, std::vector<std::string>& added);
  Result<bool> write_readings(const std::vector<Reading>& readings,
                              std::vector<std::string>& added_points);
  Result<bool> write_control(const PendingWrites& writes, TimeMs now_ms);

  Connection db_;
  int failure_code_ = SQLITE_OK;  ///< extended code of the statement that failed the last commit
  std::unordered_map<std::string, std::int64_t> point_ids_;  ///< committed points only
  Statement insert_point_;
  Statement select_point_;
  Statement insert_reading_;
  Statement upsert_rollup_;
  Statement upsert_state_;
  Statement erase_state_;
  Statement insert_event_;
  Statement upsert_daily_;
  Statement delete_raw_;
  Statement delete_rollup_;
  Statement delete_events_;
};

}  // namespace atmo::telemetry
