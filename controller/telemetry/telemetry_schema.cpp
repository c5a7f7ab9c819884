#include "controller/telemetry/telemetry_schema.hpp"

#include <array>
#include <string>

namespace atmo::telemetry {
namespace {

// Migration N takes user_version N to N+1. Never edit a released entry: append a new one.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {
    // 0 -> 1: the first schema.
    R"sql(
      -- Points are stored by a small integer so each raw row stays small.
      CREATE TABLE points (
        id   INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
      );
      -- Every reading, with its quality (v1::Quality number). Kept raw_retention_days.
      CREATE TABLE readings (
        point_id INTEGER NOT NULL,
        time_ms  INTEGER NOT NULL,
        value    REAL,             -- NULL when the device gave a non-finite value
        quality  INTEGER NOT NULL
      );
      CREATE INDEX readings_point_time ON readings(point_id, time_ms);
      -- Per-minute aggregates of GOOD readings only. sum, not avg, so batches can add up.
      CREATE TABLE rollup_1m (
        point_id  INTEGER NOT NULL,
        minute_ms INTEGER NOT NULL,
        min       REAL    NOT NULL,
        max       REAL    NOT NULL,
        sum       REAL    NOT NULL,
        count     INTEGER NOT NULL,
        PRIMARY KEY (point_id, minute_ms)
      ) WITHOUT ROWID;
      -- What the controller must find again after a restart: scenes, holds, alarms, windows.
      CREATE TABLE state (
        key        TEXT    PRIMARY KEY,
        value      BLOB    NOT NULL,
        updated_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE events (
        id      INTEGER PRIMARY KEY,
        time_ms INTEGER NOT NULL,
        kind    TEXT    NOT NULL,
        zone    TEXT    NOT NULL,
        subject TEXT    NOT NULL,
        who     TEXT    NOT NULL,
        message TEXT    NOT NULL,
        details TEXT    NOT NULL
      );
      CREATE INDEX events_time ON events(time_ms);
      CREATE INDEX events_kind_time ON events(kind, time_ms);
      CREATE TABLE daily_index (
        date                TEXT    NOT NULL,
        zone                TEXT    NOT NULL,
        sense               TEXT    NOT NULL,
        percent             REAL,             -- NULL: nothing was applicable that day
        seconds_applicable  INTEGER NOT NULL,
        seconds_in_standard INTEGER NOT NULL,
        seconds_no_data     INTEGER NOT NULL,
        PRIMARY KEY (date, zone, sense)
      ) WITHOUT ROWID;
    )sql",
};

}  // namespace

Result<int> migrate_schema(Connection& db, bool* incompatible) {
  auto application = db.query_int("PRAGMA application_id");
  if (!application) return application.error();
  auto version = db.query_int("PRAGMA user_version");
  if (!version) return version.error();

  if (*application != 0 && *application != kApplicationId) {
    if (incompatible != nullptr) *incompatible = true;
    return make_error("the telemetry database is not an atmo database (application_id " +
                      std::to_string(*application) + "); point storage.database at another file");
  }
  if (*version > kSchemaVersion) {
    if (incompatible != nullptr) *incompatible = true;
    return make_error("the telemetry database has schema version " + std::to_string(*version) +
                      ", newer than this atmo understands (" + std::to_string(kSchemaVersion) +
                      "); upgrade atmo or use another database file");
  }
  for (auto v = *version; v < kSchemaVersion; ++v) {
    auto applied = in_transaction(db, [&]() -> Result<bool> {
      if (auto done = db.exec(kMigrations[static_cast<std::size_t>(v)]); !done) return done;
      return db.exec("PRAGMA application_id = " + std::to_string(kApplicationId) +
                     "; PRAGMA user_version = " + std::to_string(v + 1));
    });
    if (!applied) {
      return make_error("cannot migrate the telemetry database from version " + std::to_string(v) +
                        ": " + applied.error().message);
    }
  }
  return kSchemaVersion;
}

}  // namespace atmo::telemetry
