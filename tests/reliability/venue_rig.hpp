// The whole system as an operator runs it, for the reliability tests: `atmo sim` serving a venue's
// devices (with its control port for faults and read-back), `atmo serve` as the daemon against it,
// and a read-only view of the daemon's SQLite database. Every process is a real child process of
// the test, on free ports, with its output in a log file under the test's own directory.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "tests/reliability/process.hpp"

namespace atmo::reliability {

using namespace std::chrono_literals;

/// A fresh directory under the system temp dir, removed with everything in it at the end (kept
/// when ATMO_KEEP_TEST_DIRS is set, to read the logs after a failure).
class TempDir {
 public:
  explicit TempDir(const std::string& name);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& child) const { return path_ / child; }

 private:
  std::filesystem::path path_;
};

/// Wall-clock milliseconds, the daemon's time base (it stamps readings and events with it).
long long now_ms();

/// Polls `pred` every `step` until it holds or `limit` passes.
bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds limit,
                std::chrono::milliseconds step = 25ms);

/// Waits until `log` has a line containing `marker` (and `writer`, if given, still runs); returns that line.
std::optional<std::string> wait_for_log_line(const std::filesystem::path& log, const std::string& marker,
                                             std::chrono::milliseconds limit, Process* writer = nullptr);

/// The demo venue (config/venues/demo.yaml) written to `dir` with its three buses moved to free
/// ports and its profile folder made absolute, so a simulator and a daemon can run it side by side
/// with other tests. Returns the file.
std::filesystem::path write_demo_venue(const std::filesystem::path& dir);

/// `atmo sim --venue FILE --control 127.0.0.1:0`, its control port found in its output.
class SimProcess {
 public:
  SimProcess(const std::filesystem::path& venue, const std::filesystem::path& log);
  /// One control command (see sim/README.md); the reply line ("ok …" / "error …").
  std::string ctl(const std::string& command) const;
  /// The value a point has on the simulated device right now (what atmo wrote, for an output).
  double get(const std::string& point) const;
  Process& process() { return *process_; }

 private:
  std::unique_ptr<Process> process_;
  int control_port_ = 0;
};

struct DaemonOptions {
  std::optional<uid_t> uid;  ///< run the daemon as this user
  /// Run on the wall clock instead of the pinned test clock: for tests that measure how fresh the
  /// stored data is against real instants (data loss, recovery times), which no day part changes.
  bool wall_clock = false;
};

/// `atmo serve -c FILE --state-dir DIR --listen 127.0.0.1:0 --no-audio`, its API port found in its
/// output (the line the daemon prints for the tablet).
class DaemonProcess {
 public:
  DaemonProcess(const std::filesystem::path& venue, const std::filesystem::path& state_dir,
                const std::filesystem::path& log, DaemonOptions options = {});
  int port() const { return port_; }
  Process& process() { return *process_; }
  const std::filesystem::path& log() const { return log_; }

 private:
  std::unique_ptr<Process> process_;
  std::filesystem::path log_;
  int port_ = 0;
};

/// A read-only connection to the daemon's database (WAL: it never blocks the daemon's writer).
class TelemetryDb {
 public:
  explicit TelemetryDb(const std::filesystem::path& path);
  ~TelemetryDb();
  TelemetryDb(const TelemetryDb&) = delete;
  TelemetryDb& operator=(const TelemetryDb&) = delete;

  /// The first column of the first row as a number; nullopt when the query fails (no schema yet).
  std::optional<long long> number(const std::string& sql) const;
  std::optional<std::string> text(const std::string& sql) const;
  /// Every row, every column as text ("" for NULL).
  std::vector<std::vector<std::string>> rows(const std::string& sql) const;

 private:
  sqlite3* db_ = nullptr;
};

/// SQL string literal.
std::string quoted(const std::string& text);

}  // namespace atmo::reliability
