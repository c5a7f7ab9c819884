#include "controller/telemetry/telemetry_reader.hpp"

#include <cmath>
#include <limits>

namespace atmo::telemetry {
namespace {

TimeMs floor_to(TimeMs t, TimeMs step) {
  const TimeMs r = t % step;
  return r < 0 ? t - r - step : t - r;
}

// Ends a read transaction on every path, so a failed query does not pin an old WAL snapshot.
class ReadTransaction {
 public:
  explicit ReadTransaction(Connection& db) : db_(db) { ok_ = static_cast<bool>(db_.exec("BEGIN")); }
  ~ReadTransaction() {
    if (ok_) (void)db_.exec("COMMIT");
  }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  bool ok() const { return ok_; }

 private:
  Connection& db_;
  bool ok_ = false;
};

}  // namespace

class TelemetryReader::Call {
 public:
  explicit Call(TelemetryReader& reader) : reader_(reader), lock_(reader.mutex_) {}
  ~Call() {
    if (reader_.let_go_ && reader_.let_go_->load(std::memory_order_relaxed)) reader_.db_.reset();
  }
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

 private:
  TelemetryReader& reader_;
  std::lock_guard<std::mutex> lock_;  // released after the destructor's body
};

Result<std::unique_ptr<TelemetryReader>> TelemetryReader::open(const std::string& path,
                                                               std::shared_ptr<const std::atomic<bool>> let_go) {
  auto reader = open_lazily(path, std::move(let_go));
  {
    std::lock_guard lock(reader->mutex_);
    if (auto connected = reader->connect_locked(); !connected) return connected.error();
  }
  return reader;
}

std::unique_ptr<TelemetryReader> TelemetryReader::open_lazily(const std::string& path,
                                                              std::shared_ptr<const std::atomic<bool>> let_go) {
  return std::unique_ptr<TelemetryReader>(new TelemetryReader(path, std::move(let_go)));
}

Result<bool> TelemetryReader::connect_locked() {
  if (db_) return true;
  auto db = Connection::open(path_, Connection::Mode::read_only);
  if (!db) return db.error();
  db_.emplace(std::move(db).value());
  return true;
}

Result<std::optional<std::int64_t>> TelemetryReader::find_point(const std::string& name) {
  auto stmt = db_->prepare("SELECT id FROM points WHERE name = ?1");
  if (!stmt) return stmt.error();
  Statement& s = stmt.value();
  s.bind(1, name);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return std::optional<std::int64_t>(s.column_int64(0));
  if (rc == SQLITE_DONE) return std::optional<std::int64_t>();
  return db_->error("cannot look up point '" + name + "'");
}

Result<std::vector<Bucket>> TelemetryReader::buckets(std::int64_t point_id, TimeMs from_ms,
                                                     TimeMs to_ms, TimeMs step_ms, bool rollups) {
  // The bucket of time t is t - ((t % step + step) % step): a floor that also holds before 1970.
  static constexpr const char* kRaw =
      "SELECT time_ms - ((time_ms % ?4 + ?4) % ?4) AS bucket, min(value), max(value), avg(value), "
      "count(*) FROM readings WHERE point_id = ?1 AND time_ms >= ?2 AND time_ms < ?3 "
      "AND quality = 1 GROUP BY bucket ORDER BY bucket";
  static constexpr const char* kRollup =
      "SELECT minute_ms - ((minute_ms % ?4 + ?4) % ?4) AS bucket, min(min), max(max), "
      "sum(sum) / sum(count), sum(count) FROM rollup_1m WHERE point_id = ?1 AND minute_ms >= ?2 "
      "AND minute_ms < ?3 GROUP BY bucket ORDER BY bucket";
  auto stmt = db_->prepare(rollups ? kRollup : kRaw);
  if (!stmt) return stmt.error();
  Statement& s = stmt.value();
  s.bind(1, point_id);
  // A rollup row starts at its minute; include the minute `from` falls in.
  s.bind(2, static_cast<std::int64_t>(rollups ? floor_to(from_ms, kRollupStepMs) : from_ms));
  s.bind(3, static_cast<std::int64_t>(to_ms));
  s.bind(4, static_cast<std::int64_t>(step_ms));
  std::vector<Bucket> out;
  int rc = SQLITE_ROW;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back(Bucket{s.column_int64(0), s.column_double(1), s.column_double(2),
                         s.column_double(3), s.column_int64(4)});
  }
  if (rc != SQLITE_DONE) return db_->error("cannot query telemetry");
  return out;
}

Result<std::vector<Series>> TelemetryReader::query(const std::vector<std::string>& points,
                                                   TimeMs from_ms, TimeMs to_ms, TimeMs step_ms) {
  if (step_ms <= 0) return make_error("step must be a positive number of milliseconds");
  if (to_ms < from_ms) return make_error("the range ends before it starts (to < from)");
  if ((to_ms - from_ms) / step_ms > kMaxBucketsPerSeries) {
    return make_error("the range holds more than " + std::to_string(kMaxBucketsPerSeries) +
                      " steps; ask for a larger step or a shorter range");
  }
  const bool rollups = step_ms >= kRollupStepMs;
  Call call(*this);
  if (auto connected = connect_locked(); !connected) return connected.error();
  ReadTransaction snapshot(*db_);  // every series from the same moment
  if (!snapshot.ok()) return db_->error("cannot start a read");
  std::vector<Series> out;
  out.reserve(points.size());
  for (const auto& name : points) {
    Series series{name, {}, rollups};
    auto id = find_point(name);
    if (!id) return id.error();
    if (*id) {
      auto b = buckets(**id, from_ms, to_ms, step_ms, rollups);
      if (!b) return b.error();
      series.buckets = std::move(b).value();
    }
    out.push_back(std::move(series));
  }
  return out;
}

Result<std::vector<Reading>> TelemetryReader::latest(const std::vector<std::string>& points) {
  Call call(*this);
  if (auto connected = connect_locked(); !connected) return connected.error();
  ReadTransaction snapshot(*db_);
  if (!snapshot.ok()) return db_->error("cannot start a read");
  auto stmt = db_->prepare(
      "SELECT r.time_ms, r.value, r.quality FROM readings r JOIN points p ON p.id = r.point_id "
      "WHERE p.name = ?1 ORDER BY r.time_ms DESC LIMIT 1");
  if (!stmt) return stmt.error();
  Statement& s = stmt.value();
  std::vector<Reading> out;
  for (const auto& name : points) {
    s.reset();
    s.bind(1, name);
    const int rc = s.step();
    if (rc == SQLITE_ROW) {
      out.push_back(Reading{
          name, s.column_int64(0),
          s.column_is_null(1) ? std::numeric_limits<double>::quiet_NaN() : s.column_double(1),
          static_cast<v1::Quality>(s.column_int64(2))});
    } else if (rc != SQLITE_DONE) {
      return db_->error("cannot read the latest value of '" + name + "'");
    }
  }
  return out;
}

Result<std::uint64_t> TelemetryReader::raw(const std::string& point, TimeMs from_ms, TimeMs to_ms,
                                           const std::function<bool(const Reading&)>& each) {
  Call call(*this);
  if (auto connected = connect_locked(); !connected) return connected.error();
  ReadTransaction snapshot(*db_);
  if (!snapshot.ok()) return db_->error("cannot start a read");
  auto id = find_point(point);
  if (!id) return id.error();
  if (!*id) return std::uint64_t{0};
  auto stmt = db_->prepare(
      "SELECT time_ms, value, quality FROM readings WHERE point_id = ?1 AND time_ms >= ?2 "
      "AND time_ms < ?3 ORDER BY time_ms, rowid");
  if (!stmt) return stmt.error();
  Statement& s = stmt.value();
  s.bind(1, **id);
  s.bind(2, static_cast<std::int64_t>(from_ms));
  s.bind(3, static_cast<std::int64_t>(to_ms));
  std::uint64_t n = 0;
  Reading r{point, 0, 0.0, v1::QUALITY_GOOD};
  int rc = SQLITE_ROW;
  while ((rc = s.step()) == SQLITE_ROW) {
    r.time_ms = s.column_int64(0);
    r.value = s.column_is_null(1) ? std::numeric_limits<double>::quiet_NaN() : s.column_double(1);
    r.quality = static_cast<v1::Quality>(s.column_int64(2));
    ++n;
    if (!each(r)) return n;
  }
  if (rc != SQLITE_DONE) return db_->error("cannot read readings of '" + point + "'");
  return n;
}

Result<std::optional<std::string>> TelemetryReader::get_state(const std::string& key) {
  Call call(*this);
  if (auto connected = connect_locked(); !connected) return connected.error();
  auto stmt = db_->prepare("SELECT value FROM state WHERE key = ?1");
  if (!stmt) return stmt.error();
  Statement& s = stmt.value();
  s.bind(1, key);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(s.column_blob(0));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return db_->error("cannot read state '" + key + "'");
}

Result<std::vector<std::pair<std::string, std::string>>> TelemetryReader::list_state(
    const std::string& prefix) {
  Call call(*this);
  if (auto connected = connect_locked(); !connected) return connected.error();
  auto stmt = db_->prepare(
      "SELECT key, value FROM state WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key");
  if (!stmt) return stmt.error();
  Statement& s = stmt.value();
  s.bind(1, prefix);
  std::vector<std::pair<std::string, std::string>> out;
  int rc = SQLITE_ROW;
  while ((rc = s.step()) == SQLITE_ROW) out.emplace_back(s.column_text(0), s.column_blob(1));
  if (rc != SQLITE_DONE) return db_->error("cannot list state");
  return out;
}

Result<std::vector<Event>> TelemetryReader::events(const EventFilter& filter) {
  std::string sql =
      "SELECT id, time_ms, kind, zone, subject, who, message, details FROM events "
      "WHERE time_ms >= ?1 AND time_ms < ?2";
  int next = 3;
  if (filter.zone) sql += " AND zone = ?" + std::to_string(next++);
  if (!filter.kinds.empty()) {
    sql += " AND kind IN (";
    for (std::size_t i = 0; i < filter.kinds.size(); ++i) {
      sql += (i ? ", ?" : "?") + std::to_string(next++);
    }
    sql += ")";
  }
  sql += " ORDER BY time_ms, id LIMIT ?" + std::to_string(next);

  Call call(*this);
  if (auto connected = connect_locked(); !connected) return connected.error();
  auto stmt = db_->prepare(sql);
  if (!stmt) return stmt.error();
  Statement& s = stmt.value();
  int index = 1;
  s.bind(index++, static_cast<std::int64_t>(filter.from_ms));
  s.bind(index++, static_cast<std::int64_t>(filter.to_ms));
  if (filter.zone) s.bind(index++, *filter.zone);
  for (const auto& kind : filter.kinds) s.bind(index++, kind);
  s.bind(index, static_cast<std::int64_t>(std::min<std::size_t>(filter.limit, INT64_MAX)));
  std::vector<Event> out;
  int rc = SQLITE_ROW;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back(Event{s.column_int64(0), s.column_int64(1), s.column_text(2), s.column_text(3),
                        s.column_text(4), s.column_text(5), s.column_text(6), s.column_text(7)});
  }
  if (rc != SQLITE_DONE) return db_->error("cannot read events");
  return out;
}

Result<std::vector<DailyIndexRow>> TelemetryReader::daily_index(
    const std::string& from_date, const std::string& to_date,
    const std::optional<std::string>& zone) {
  Call call(*this);
  if (auto connected = connect_locked(); !connected) return connected.error();
  auto stmt = db_->prepare(
      "SELECT date, zone, sense, percent, seconds_applicable, seconds_in_standard, "
      "seconds_no_data FROM daily_index WHERE date >= ?1 AND date <= ?2 "
      "AND (?3 IS NULL OR zone = ?3) ORDER BY date, zone, sense");
  if (!stmt) return stmt.error();
  Statement& s = stmt.value();
  s.bind(1, from_date);
  s.bind(2, to_date);
  if (zone) {
    s.bind(3, *zone);
  } else {
    s.bind_null(3);
  }
  std::vector<DailyIndexRow> out;
  int rc = SQLITE_ROW;
  while ((rc = s.step()) == SQLITE_ROW) {
    const double percent =
        s.column_is_null(3) ? std::numeric_limits<double>::quiet_NaN() : s.column_double(3);
    out.push_back(DailyIndexRow{s.column_text(0), s.column_text(1), s.column_text(2), percent,
                                s.column_int64(4), s.column_int64(5), s.column_int64(6)});
  }
  if (rc != SQLITE_DONE) return db_->error("cannot read the daily index");
  return out;
}

}  // namespace atmo::telemetry
