#include "controller/telemetry/clock_mark.hpp"

#include <filesystem>

#include "controller/telemetry/sqlite_connection.hpp"

namespace atmo::telemetry {

namespace {

/// SQLite creates a WAL database's -wal and -shm files even for a read-only look. The check must
/// leave the directory as it found it (a refused run writes nothing), so the files it made, and
/// that are still empty of frames, go again once its connection is closed.
class SidecarsLeftAsFound {
 public:
  explicit SidecarsLeftAsFound(const std::string& db_path)
      : wal_(db_path + "-wal"), shm_(db_path + "-shm"), had_wal_(exists(wal_)), had_shm_(exists(shm_)) {}
  ~SidecarsLeftAsFound() {
    std::error_code ec;
    if (had_wal_ || had_shm_ || std::filesystem::file_size(wal_, ec) != 0) return;
    std::filesystem::remove(wal_, ec);
    std::filesystem::remove(shm_, ec);
  }
  SidecarsLeftAsFound(const SidecarsLeftAsFound&) = delete;
  SidecarsLeftAsFound& operator=(const SidecarsLeftAsFound&) = delete;

 private:
  static bool exists(const std::string& path) {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
  }
  std::string wal_, shm_;
  bool had_wal_, had_shm_;
};

}  // namespace

Status check_clock_mark(const std::string& db_path, bool simulated) {
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec)) return ok_status();
  const SidecarsLeftAsFound sidecars(db_path);  // declared before the connection: runs after it closes
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
