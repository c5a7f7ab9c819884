// The values the telemetry store takes and gives back: readings, query buckets, events, daily
// compliance rows, the store's options and its health. Shared by the writer (TelemetryStore) and
// the query side (TelemetryReader).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/atmo.pb.h"
#include "zones/clock.hpp"

namespace atmo::telemetry {

/// One sample of one point. Only QUALITY_GOOD readings count in min/max/avg; every reading is
/// stored with its quality so a gap or a bad value stays visible.
struct Reading {
  std::string point;  ///< "<zone>.<device>.<point>"
  TimeMs time_ms = 0;
  double value = 0.0;
  v1::Quality quality = v1::QUALITY_GOOD;
};

/// One bucket of a series: aggregates of the GOOD readings whose time falls in [time_ms, time_ms +
/// step).
struct Bucket {
  TimeMs time_ms = 0;
  double min = 0.0;
  double max = 0.0;
  double avg = 0.0;
  std::int64_t count = 0;
};

struct Series {
  std::string point;
  std::vector<Bucket> buckets;  ///< ascending; buckets with no good reading are absent
  bool from_rollups = false;    ///< true when step >= 60 s: read from the per-minute rollups
};

/// An entry of the event log: scene changes, alarms raised and cleared, checklist confirmations, …
struct Event {
  std::int64_t id = 0;  ///< assigned by the store; 0 before it is written
  TimeMs time_ms = 0;
  std::string kind;     ///< e.g. "scene.applied", "alarm.raised"
  std::string zone;     ///< empty for venue-wide events
  std::string subject;  ///< what it is about, e.g. a scene id or a criterion
  std::string who;      ///< user name, "scheduler", "safety", …
  std::string message;  ///< one line a person reads
  std::string details_json = "{}";
};

struct EventFilter {
  TimeMs from_ms = 0;              ///< inclusive
  TimeMs to_ms = INT64_MAX;        ///< exclusive
  std::vector<std::string> kinds;  ///< empty: every kind
  std::optional<std::string> zone;
  std::size_t limit = 1000;
};

/// The daily compliance index of one zone and sense (issue 4 item 4).
struct DailyIndexRow {
  std::string date;  ///< venue-local "YYYY-MM-DD"
  std::string zone;
  std::string sense;     ///< v1::Sense name, e.g. "SENSE_SIGHT"
  double percent = 0.0;  ///< NaN when nothing was applicable (stored as NULL)
  std::int64_t seconds_applicable = 0;
  std::int64_t seconds_in_standard = 0;
  std::int64_t seconds_no_data = 0;
};

enum class Synchronous {
  /// WAL + NORMAL: a committed transaction survives a process crash or kill -9 (it is in the WAL
  /// file, the OS has it); only a power loss or kernel crash can take the last commits back.
  normal,
  /// WAL + FULL: every commit is fsynced; survives power loss too, at one fsync per batch.
  full,
};

struct StoreOptions {
  std::string path = "atmo.db";
  /// Readings waiting for the writer. Over this, the oldest are dropped and counted.
  std::size_t max_queued_readings = 1'000'000;
  /// Events waiting for the writer (they queue while the disk is full). Over this, oldest dropped.
  std::size_t max_queued_events = 100'000;
  /// A batch this large is committed at once …
  std::size_t max_batch_readings = 5'000;
  /// … otherwise when its oldest reading has waited this long. Bounds what a kill -9 can lose.
  std::chrono::milliseconds max_batch_age{500};
  Synchronous synchronous = Synchronous::normal;
  /// Retention per tier in days; 0 keeps the tier forever.
  unsigned raw_retention_days = 30;
  unsigned rollup_retention_days = 730;  ///< also applies to the event log
  std::chrono::milliseconds retention_interval{std::chrono::minutes(10)};
  /// Rows per delete transaction, so retention never stalls ingest.
  std::size_t retention_batch_rows = 2'000;
  std::chrono::milliseconds retry_initial{100};
  std::chrono::milliseconds retry_max{std::chrono::seconds(5)};
  /// How long stop() keeps trying to commit what is queued before giving up.
  std::chrono::milliseconds stop_timeout{std::chrono::seconds(5)};
  /// Cap on the database size (0: none), so telemetry cannot fill the disk the system needs.
  std::uint64_t max_database_bytes = 0;
};

/// Maps the venue's `storage` block onto options, applying the schema's defaults (0 means unset).
StoreOptions options_from_config(const v1::Storage& storage, const std::string& default_path);

struct StoreHealth {
  enum class State { ok, degraded };
  State state = State::ok;
  std::string error;                   ///< why the last write failed, while degraded
  std::size_t queued_readings = 0;     ///< waiting for the writer, including a batch being retried
  std::size_t queued_other = 0;        ///< state writes, events and daily rows waiting
  std::uint64_t dropped_readings = 0;  ///< oldest readings dropped because the queue was full
  std::uint64_t dropped_events = 0;
  std::uint64_t committed_readings = 0;  ///< since the store opened
  std::optional<TimeMs> last_commit_ms;  ///< by the store's clock
  std::uint64_t failed_commits = 0;      ///< since the store opened
  /// Writes the database refused as invalid (each logged); the writes behind them went through.
  std::uint64_t rejected_writes = 0;
};

}  // namespace atmo::telemetry
