// The query side of the telemetry store, for the UI, the CLI, reports and exports. Each reader owns
// its own read-only SQLite connection; in WAL mode readers never block the writer and the writer
// never blocks them. A reader serializes its own calls (safe from any thread); give a thread that
// queries a lot its own reader for parallelism.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "controller/telemetry/sqlite_connection.hpp"
#include "controller/telemetry/telemetry_types.hpp"

namespace atmo::telemetry {

/// Steps of at least this much read the per-minute rollups instead of raw readings.
inline constexpr TimeMs kRollupStepMs = 60'000;
/// A query may ask for at most this many buckets per point, so one request cannot exhaust memory.
inline constexpr std::int64_t kMaxBucketsPerSeries = 100'000;

class TelemetryReader {
 public:
  /// Opens `path` read-only. The database must already exist (TelemetryStore creates it).
  /// `let_go`, when given and true, makes the reader close its connection after each call (the store
  /// sets it while its writer must reopen the file, see TelemetryStore::commit_batch).
  static Result<std::unique_ptr<TelemetryReader>> open(const std::string& path,
                                                       std::shared_ptr<const std::atomic<bool>> let_go = {});
  /// A reader that connects at its first call (and again at the next call if that failed), for a
  /// store whose database could not be opened yet.
  static std::unique_ptr<TelemetryReader> open_lazily(const std::string& path,
                                                      std::shared_ptr<const std::atomic<bool>> let_go = {});

  /// Per point, buckets of `step_ms` aligned to multiples of step_ms since the epoch, covering
  /// [from_ms, to_ms). Only GOOD readings count. step_ms >= 60 s reads the rollups (a minute
  /// belongs to the bucket its start falls in), shorter steps read raw rows. A point never recorded
  /// gives an empty series.
  Result<std::vector<Series>> query(const std::vector<std::string>& points, TimeMs from_ms,
                                    TimeMs to_ms, TimeMs step_ms);

  /// The newest stored reading of each point, whatever its quality; points with none are left out.
  Result<std::vector<Reading>> latest(const std::vector<std::string>& points);

  /// Calls `each` for every stored reading of `point` in [from_ms, to_ms), oldest first, without
  /// loading the range into memory. `each` returns false to stop. Returns how many it was given.
  /// A non-finite value was stored as NULL and comes back as NaN.
  Result<std::uint64_t> raw(const std::string& point, TimeMs from_ms, TimeMs to_ms,
                            const std::function<bool(const Reading&)>& each);

  Result<std::optional<std::string>> get_state(const std::string& key);
  /// All state entries whose key starts with `prefix`, sorted by key.
  Result<std::vector<std::pair<std::string, std::string>>> list_state(const std::string& prefix);

  /// Events in the filter's range, oldest first, at most filter.limit.
  Result<std::vector<Event>> events(const EventFilter& filter);

  /// Daily index rows with from_date <= date <= to_date ("YYYY-MM-DD"), optionally one zone.
  Result<std::vector<DailyIndexRow>> daily_index(const std::string& from_date,
                                                 const std::string& to_date,
                                                 const std::optional<std::string>& zone = {});

 private:
  TelemetryReader(std::string path, std::shared_ptr<const std::atomic<bool>> let_go)
      : path_(std::move(path)), let_go_(std::move(let_go)) {}
  /// One call: holds the lock, and on the way out closes the connection if the store asked.
  class Call;
  Result<bool> connect_locked();
  Result<std::optional<std::int64_t>> find_point(const std::string& name);
  Result<std::vector<Bucket>> buckets(std::int64_t point_id, TimeMs from_ms, TimeMs to_ms,
                                      TimeMs step_ms, bool rollups);

  const std::string path_;
  std::mutex mutex_;  ///< protects db_: a SQLite connection is used by one thread at a time
  std::optional<Connection> db_;  ///< empty until the first successful connect
  /// SQLite shares one WAL index (the -shm file) between every connection of this process to the
  /// file, opened read-only if the first one could not write it. While any reader keeps that open,
  /// a writer reopened after the file became writable again still cannot write.
  const std::shared_ptr<const std::atomic<bool>> let_go_;
};

}  // namespace atmo::telemetry
