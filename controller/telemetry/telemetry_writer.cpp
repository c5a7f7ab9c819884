#include "controller/telemetry/telemetry_writer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "controller/telemetry/telemetry_schema.hpp"

namespace atmo::telemetry {
namespace {

constexpr TimeMs kMinuteMs = 60'000;
constexpr TimeMs kDayMs = 86'400'000;

TimeMs floor_to(TimeMs t, TimeMs step) {
  const TimeMs r = t % step;
  return r < 0 ? t - r - step : t - r;
}

struct MinuteAggregate {
  double min = 0.0;
  double max = 0.0;
  double sum = 0.0;
  std::int64_t count = 0;
};

}  // namespace

Result<std::unique_ptr<TelemetryWriter>> TelemetryWriter::open(const StoreOptions& options,
                                                               bool* incompatible) {
  auto db = Connection::open(options.path, Connection::Mode::read_write);
  if (!db) return db.error();
  auto writer = std::unique_ptr<TelemetryWriter>(new TelemetryWriter(std::move(db).value()));
  Connection& c = writer->db_;

  // WAL: readers never block the writer and a commit is one append to the WAL file.
  {
    auto stmt = c.prepare("PRAGMA journal_mode=WAL");
    if (!stmt || stmt.value().step() != SQLITE_ROW || stmt.value().column_text(0) != "wal") {
      // The first statement that reads the file: a file that is not SQLite fails here, for good.
      if ((c.last_error().code & 0xff) == SQLITE_NOTADB && incompatible != nullptr)
        *incompatible = true;
      return c.error("cannot switch '" + options.path + "' to WAL journal mode");
    }
  }  // finalized here: an unfinished statement would keep later transactions from committing
  const char* sync = options.synchronous == Synchronous::full ? "PRAGMA synchronous=FULL"
                                                              : "PRAGMA synchronous=NORMAL";
  if (auto done = c.exec(sync); !done) return done.error();
  // After a backlog the WAL may have grown large; truncate it back at checkpoints.
  if (auto done = c.exec("PRAGMA journal_size_limit = 67108864"); !done) return done.error();
  if (auto migrated = migrate_schema(c, incompatible); !migrated) return migrated.error();
  if (auto capped = writer->set_max_database_bytes(options.max_database_bytes); !capped) {
    return capped.error();
  }
  if (auto prepared = writer->prepare_statements(); !prepared) return prepared.error();

  auto points = c.prepare("SELECT id, name FROM points");
  if (!points) return points.error();
  while (points.value().step() == SQLITE_ROW) {
    writer->point_ids_.emplace(points.value().column_text(1), points.value().column_int64(0));
  }
  return writer;
}

Result<bool> TelemetryWriter::prepare_statements() {
  const std::pair<Statement*, const char*> all[] = {
      {&insert_point_, "INSERT OR IGNORE INTO points(name) VALUES(?1)"},
      {&select_point_, "SELECT id FROM points WHERE name = ?1"},
      {&insert_reading_,
       "INSERT INTO readings(point_id, time_ms, value, quality) VALUES(?1, ?2, ?3, ?4)"},
      {&upsert_rollup_,
       "INSERT INTO rollup_1m(point_id, minute_ms, min, max, sum, count) "
       "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(point_id, minute_ms) DO UPDATE SET "
       "min = min(min, excluded.min), max = max(max, excluded.max), "
       "sum = sum + excluded.sum, count = count + excluded.count"},
      {&upsert_state_,
       "INSERT INTO state(key, value, updated_ms) VALUES(?1, ?2, ?3) ON CONFLICT(key) DO UPDATE "
       "SET value = excluded.value, updated_ms = excluded.updated_ms"},
      {&erase_state_, "DELETE FROM state WHERE key = ?1"},
      {&insert_event_,
       "INSERT INTO events(time_ms, kind, zone, subject, who, message, details) "
       "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
      {&upsert_daily_,
       "INSERT INTO daily_index(date, zone, sense, percent, seconds_applicable, "
       "seconds_in_standard, seconds_no_data) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) "
       "ON CONFLICT(date, zone, sense) DO UPDATE SET percent = excluded.percent, "
       "seconds_applicable = excluded.seconds_applicable, "
       "seconds_in_standard = excluded.seconds_in_standard, "
       "seconds_no_data = excluded.seconds_no_data"},
      {&delete_raw_,
       "DELETE FROM readings WHERE rowid IN (SELECT rowid FROM readings "
       "WHERE point_id = ?1 AND time_ms < ?2 LIMIT ?3)"},
      {&delete_rollup_,
       "DELETE FROM rollup_1m WHERE point_id = ?1 AND minute_ms IN (SELECT minute_ms FROM "
       "rollup_1m WHERE point_id = ?1 AND minute_ms < ?2 LIMIT ?3)"},
      {&delete_events_,
       "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE time_ms < ?1 LIMIT ?2)"},
  };
  for (const auto& [stmt, sql] : all) {
    auto prepared = db_.prepare(sql);
    if (!prepared) return prepared.error();
    *stmt = std::move(prepared).value();
  }
  return true;
}

Result<std::int64_t> TelemetryWriter::point_id(const std::string& name,
                                               std::vector<std::string>& added) {
  if (auto it = point_ids_.find(name); it != point_ids_.end()) return it->second;
  insert_point_.reset();
  insert_point_.bind(1, name);
  if (insert_point_.step() != SQLITE_DONE) return db_.error("cannot add point '" + name + "'");
  select_point_.reset();
  select_point_.bind(1, name);
  if (select_point_.step() != SQLITE_ROW) return db_.error("cannot find point '" + name + "'");
  const std::int64_t id = select_point_.column_int64(0);
  select_point_.reset();
  point_ids_.emplace(name, id);
  added.push_back(name);
  return id;
}

Result<bool> TelemetryWriter::write_readings(const std::vector<Reading>& readings,
                                             std::vector<std::string>& added_points) {
  std::map<std::pair<std::int64_t, TimeMs>, MinuteAggregate> minutes;
  for (const Reading& r : readings) {
    auto id = point_id(r.point, added_points);
    if (!id) return id.error();
    // A non-finite value cannot be averaged or stored as REAL: keep the row (as NULL) so the
    // sample is not lost, and never let it count as good.
    const bool finite = std::isfinite(r.value);
    const v1::Quality quality =
        finite || r.quality != v1::QUALITY_GOOD ? r.quality : v1::QUALITY_BAD;
    insert_reading_.reset();
    insert_reading_.bind(1, *id);
    insert_reading_.bind(2, static_cast<std::int64_t>(r.time_ms));
    if (finite) {
      insert_reading_.bind(3, r.value);
    } else {
      insert_reading_.bind_null(3);
    }
    insert_reading_.bind(4, static_cast<std::int64_t>(quality));
    if (insert_reading_.step() != SQLITE_DONE) return db_.error("cannot store a reading");

    if (quality != v1::QUALITY_GOOD) continue;
    auto [it, fresh] = minutes.try_emplace({*id, floor_to(r.time_ms, kMinuteMs)});
    MinuteAggregate& m = it->second;
    if (fresh) {
      m = MinuteAggregate{r.value, r.value, r.value, 1};
    } else {
      m.min = std::min(m.min, r.value);
      m.max = std::max(m.max, r.value);
      m.sum += r.value;
      ++m.count;
    }
  }
  for (const auto& [key, m] : minutes) {
    upsert_rollup_.reset();
    upsert_rollup_.bind(1, key.first);
    upsert_rollup_.bind(2, static_cast<std::int64_t>(key.second));
    upsert_rollup_.bind(3, m.min);
    upsert_rollup_.bind(4, m.max);
    upsert_rollup_.bind(5, m.sum);
    upsert_rollup_.bind(6, m.count);
    if (upsert_rollup_.step() != SQLITE_DONE) return db_.error("cannot update a rollup");
  }
  return true;
}

Result<bool> TelemetryWriter::write_control(const PendingWrites& writes, TimeMs now_ms) {
  for (const auto& [key, value] : writes.state) {
    Statement& stmt = value ? upsert_state_ : erase_state_;
    stmt.reset();
    stmt.bind(1, key);
    if (value) {
      stmt.bind_blob(2, *value);
      stmt.bind(3, static_cast<std::int64_t>(now_ms));
    }
    if (stmt.step() != SQLITE_DONE) return db_.error("cannot store state '" + key + "'");
  }
  for (const Event& e : writes.events) {
    insert_event_.reset();
    insert_event_.bind(1, static_cast<std::int64_t>(e.time_ms));
    insert_event_.bind(2, e.kind);
    insert_event_.bind(3, e.zone);
    insert_event_.bind(4, e.subject);
    insert_event_.bind(5, e.who);
    insert_event_.bind(6, e.message);
    insert_event_.bind(7, e.details_json);
    if (insert_event_.step() != SQLITE_DONE) return db_.error("cannot store an event");
  }
  for (const DailyIndexRow& d : writes.daily) {
    upsert_daily_.reset();
    upsert_daily_.bind(1, d.date);
    upsert_daily_.bind(2, d.zone);
    upsert_daily_.bind(3, d.sense);
    if (std::isfinite(d.percent)) {
      upsert_daily_.bind(4, d.percent);
    } else {
      upsert_daily_.bind_null(4);
    }
    upsert_daily_.bind(5, d.seconds_applicable);
    upsert_daily_.bind(6, d.seconds_in_standard);
    upsert_daily_.bind(7, d.seconds_no_data);
    if (upsert_daily_.step() != SQLITE_DONE) return db_.error("cannot store a daily index row");
  }
  return true;
}

Result<bool> TelemetryWriter::commit(const PendingWrites& writes, TimeMs now_ms) {
  std::vector<std::string> added_points;
  failure_code_ = SQLITE_OK;
  auto done = in_transaction(db_, [&]() -> Result<bool> {
    auto written = write_control(writes, now_ms);
    if (written) written = write_readings(writes.readings, added_points);
    if (!written) failure_code_ = db_.last_error().code;  // before ROLLBACK replaces it
    return written;
  });
  // BEGIN IMMEDIATE itself can fail (a connection whose WAL index was opened read-only keeps
  // refusing every transaction): that is a failure of this commit too, never left as "OK".
  if (!done && failure_code_ == SQLITE_OK) failure_code_ = db_.last_error().code;
  if (!done) {
    // The rollback took these rows back: forget their ids so they are inserted again.
    for (const auto& name : added_points) point_ids_.erase(name);
  }
  return done;
}

bool TelemetryWriter::needs_reopen() const {
  return (failure_code_ & 0xff) == SQLITE_READONLY || sqlite3_db_readonly(db_.handle(), "main") == 1;
}

bool TelemetryWriter::last_failure_was_bad_data() const {
  switch (failure_code_ & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return true;
    default:
      return false;
  }
}

Result<RetentionPass> TelemetryWriter::begin_retention(TimeMs now_ms, unsigned raw_days,
                                                       unsigned rollup_days) {
  RetentionPass pass;
  if (raw_days > 0) pass.raw_cutoff_ms = now_ms - static_cast<TimeMs>(raw_days) * kDayMs;
  if (rollup_days > 0) pass.rollup_cutoff_ms = now_ms - static_cast<TimeMs>(rollup_days) * kDayMs;
  if (!pass.raw_cutoff_ms && !pass.rollup_cutoff_ms) {
    pass.phase = RetentionPass::Phase::done;
    return pass;
  }
  auto ids = db_.prepare("SELECT id FROM points ORDER BY id");
  if (!ids) return ids.error();
  int rc = SQLITE_ROW;
  while ((rc = ids.value().step()) == SQLITE_ROW)
    pass.point_ids.push_back(ids.value().column_int64(0));
  if (rc != SQLITE_DONE) return db_.error("cannot list points for retention");
  return pass;
}

Result<bool> TelemetryWriter::retention_step(RetentionPass& pass, std::size_t max_rows) {
  using Phase = RetentionPass::Phase;
  const auto limit = static_cast<std::int64_t>(std::max<std::size_t>(max_rows, 1));
  // Visit a bounded number of points per transaction so a venue with thousands of points still
  // yields to ingest between steps.
  constexpr int kMaxPointsPerStep = 64;
  return in_transaction(db_, [&]() -> Result<bool> {
    std::int64_t budget = limit;
    int points_visited = 0;
    while (budget > 0 && pass.phase != Phase::done && points_visited < kMaxPointsPerStep) {
      if (pass.phase == Phase::events) {
        if (pass.rollup_cutoff_ms) {
          delete_events_.reset();
          delete_events_.bind(1, static_cast<std::int64_t>(*pass.rollup_cutoff_ms));
          delete_events_.bind(2, budget);
          if (delete_events_.step() != SQLITE_DONE) return db_.error("cannot delete old events");
          const auto n = sqlite3_changes64(db_.handle());
          pass.deleted_rows += static_cast<std::uint64_t>(n);
          budget -= n;
          if (budget > 0) pass.phase = Phase::done;
        } else {
          pass.phase = Phase::done;
        }
        continue;
      }
      const bool raw = pass.phase == Phase::raw;
      const auto& cutoff = raw ? pass.raw_cutoff_ms : pass.rollup_cutoff_ms;
      if (!cutoff || pass.next_point >= pass.point_ids.size()) {
        pass.phase = raw ? Phase::rollup : Phase::events;
        pass.next_point = 0;
        continue;
      }
      Statement& stmt = raw ? delete_raw_ : delete_rollup_;
      stmt.reset();
      stmt.bind(1, pass.point_ids[pass.next_point]);
      stmt.bind(2, static_cast<std::int64_t>(*cutoff));
      stmt.bind(3, budget);
      if (stmt.step() != SQLITE_DONE) return db_.error("cannot delete expired telemetry");
      const auto n = sqlite3_changes64(db_.handle());
      pass.deleted_rows += static_cast<std::uint64_t>(n);
      budget -= n;
      ++points_visited;
      if (budget > 0) ++pass.next_point;  // this point has nothing older left
    }
    return true;
  });
}

Result<bool> TelemetryWriter::set_max_database_bytes(std::uint64_t bytes) {
  auto page_size = db_.query_int("PRAGMA page_size");
  if (!page_size) return page_size.error();
  // SQLite's own ceiling is 4294967294 pages; "no cap" means asking for that.
  const std::uint64_t pages =
      bytes == 0 ? 4294967294ULL
                 : std::max<std::uint64_t>(1, bytes / static_cast<std::uint64_t>(*page_size));
  auto set = db_.query_int("PRAGMA max_page_count = " + std::to_string(pages));
  if (!set) return set.error();
  return true;
}

Result<bool> TelemetryWriter::set_query_only(bool on) {
  return db_.exec(on ? "PRAGMA query_only = 1" : "PRAGMA query_only = 0");
}

}  // namespace atmo::telemetry
