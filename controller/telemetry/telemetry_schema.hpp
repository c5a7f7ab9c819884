// The telemetry database schema in one place: every table, and the forward migrations that take a
// database of any older version to the current one. The version lives in PRAGMA user_version.
#pragma once

#include "controller/telemetry/sqlite_connection.hpp"

namespace atmo::telemetry {

inline constexpr int kSchemaVersion = 1;

/// Marks the file as an atmo telemetry database (PRAGMA application_id, 'atmo').
inline constexpr int kApplicationId = 0x61746D6F;

/// Brings the schema to kSchemaVersion, one migration per transaction. Refuses a database written
/// by a newer atmo, or a SQLite file that belongs to another application, and then sets
/// *incompatible (retrying cannot help; any other error may go away, e.g. a full disk).
Result<int> migrate_schema(Connection& db, bool* incompatible = nullptr);

}  // namespace atmo::telemetry
