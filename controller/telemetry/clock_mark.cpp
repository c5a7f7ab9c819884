#include "controller/telemetry/clock_mark.hpp"

#include <filesystem>

#include "controller/telemetry/sqlite_connection.hpp"

namespace atmo::telemetry {

Status check_clock_mark(const std::string& db_path, bool simulated) {
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec)) return ok_status();
  auto opened = Connection::open(db_path, Connection::Mode::read_only);
  if (!opened) return ok_status();  // not ours to judge: opening it for real reports the problem
  Connection db = std::move(opened).value();
  std::string mark;
  if (auto has_state = db.query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'state'");
      has_state && *has_state > 0) {
    if (auto prepared = db.prepare("SELECT value FROM state WHERE key = ?1")) {
      Statement stmt = std::move(prepared).value();
      stmt.bind(1, kClockMarkKey);
      if (stmt.step() == SQLITE_ROW) mark = stmt.column_blob(0);
    }
  }
  if (mark.empty()) {
    auto data = db.query_int(
        "SELECT (SELECT count(*) FROM sqlite_master WHERE name = 'readings') AND "
        "(EXISTS (SELECT 1 FROM readings) OR EXISTS (SELECT 1 FROM events))");
    if (!data || *data == 0) return ok_status();  // empty: this run decides
    mark = std::string(kClockMarkReal);
  }
  if (mark == clock_mark(simulated)) return ok_status();
  if (simulated) {
    return make_error("the state directory's database " + db_path +
                      " holds real-time data (made on the wall clock): a simulated clock (--clock/--rate) would "
                      "write invented times among them. Nothing was written; give the simulated run its own "
                      "--state-dir");
  }
  return make_error("the state directory's database " + db_path +
                    " was made on a simulated clock (--clock/--rate): its times are not real. Nothing was written; "
                    "start with the same kind of clock, or give this run its own --state-dir");
}

}  // namespace atmo::telemetry
