#include "tests/reliability/venue_rig.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "sim/control_client.hpp"
#include "tests/test_clock.hpp"

namespace atmo::reliability {
namespace fs = std::filesystem;

TempDir::TempDir(const std::string& name) {
  static int counter = 0;
  path_ = fs::temp_directory_path() /
          ("atmo-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  if (std::getenv("ATMO_KEEP_TEST_DIRS")) return;  // logs and databases to look at after a failure
  std::error_code ec;
  fs::remove_all(path_, ec);
}

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds limit, std::chrono::milliseconds step) {
  const auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(step);
  }
}

std::optional<std::string> wait_for_log_line(const fs::path& log, const std::string& marker,
                                             std::chrono::milliseconds limit, Process* writer) {
  std::optional<std::string> found;
  wait_until(
      [&] {
        if (writer && !writer->running()) return true;  // it will not print it any more
        std::istringstream in(read_file(log));
        for (std::string line; std::getline(in, line);) {
          if (line.find(marker) != std::string::npos) {
            found = line;
            return true;
          }
        }
        return false;
      },
      limit, 50ms);
  return found;
}

fs::path write_demo_venue(const fs::path& dir) {
  std::string text = read_file(fs::path(ATMO_SOURCE_DIR) / "config/venues/demo.yaml");
  if (text.empty()) throw std::runtime_error("cannot read the demo venue");
  for (const char* port : {"15020", "15021", "15022"}) {
    const auto at = text.find(std::string("port: ") + port);
    if (at == std::string::npos) throw std::runtime_error(std::string("the demo venue has no bus on port ") + port);
    text.replace(at + 6, 5, std::to_string(free_port()));
  }
  const std::string profiles = "profile_dirs: [../profiles]";
  const auto at = text.find(profiles);
  if (at == std::string::npos) throw std::runtime_error("the demo venue's profile_dirs changed");
  text.replace(at, profiles.size(), "profile_dirs: [" + (fs::path(ATMO_SOURCE_DIR) / "config/profiles").string() + "]");
  const fs::path file = dir / "venue.yaml";
  std::ofstream(file) << text;
  return file;
}

SimProcess::SimProcess(const fs::path& venue, const fs::path& log) {
  process_ = std::make_unique<Process>(
      std::vector<std::string>{ATMO_EXE, "sim", "--venue", venue.string(), "--control", "127.0.0.1:0", "--clock",
                               atmo::test::test_clock()},
      ProcessOptions{log, false, std::nullopt});
  const auto banner = wait_for_log_line(log, ", control 127.0.0.1:", 30s, process_.get());
  if (!banner) throw std::runtime_error("atmo sim did not start; its output:\n" + read_file(log));
  std::smatch m;
  if (!std::regex_search(*banner, m, std::regex("control 127\\.0\\.0\\.1:([0-9]+)"))) {
    throw std::runtime_error("no control port in: " + *banner);
  }
  control_port_ = std::stoi(m[1]);
}

std::string SimProcess::ctl(const std::string& command) const {
  auto reply = sim::send_control_command(sim::Endpoint{"127.0.0.1", control_port_}, command, 10s);
  if (!reply) throw std::runtime_error("atmo sim ctl " + command + ": " + reply.error().message);
  return *reply;
}

double SimProcess::get(const std::string& point) const {
  const std::string reply = ctl("get " + point);
  if (reply.rfind("ok ", 0) != 0) throw std::runtime_error("get " + point + ": " + reply);
  return std::stod(reply.substr(3));
}

DaemonProcess::DaemonProcess(const fs::path& venue, const fs::path& state_dir, const fs::path& log,
                             DaemonOptions options)
    : log_(log) {
  std::vector<std::string> argv{ATMO_EXE, "serve", "-c", venue.string(), "--state-dir", state_dir.string(), "--listen",
                                "127.0.0.1:0", "--no-audio"};
  if (!options.wall_clock) {
    argv.emplace_back("--clock");
    argv.push_back(atmo::test::test_clock());
  }
  process_ = std::make_unique<Process>(std::move(argv), ProcessOptions{log, false, options.uid});
  const auto banner = wait_for_log_line(log, "is running: open http://127.0.0.1:", 60s, process_.get());
  if (!banner) throw std::runtime_error("atmo serve did not start; its output:\n" + read_file(log));
  std::smatch m;
  if (!std::regex_search(*banner, m, std::regex("127\\.0\\.0\\.1:([0-9]+)/"))) {
    throw std::runtime_error("no API port in: " + *banner);
  }
  port_ = std::stoi(m[1]);
}

TelemetryDb::TelemetryDb(const fs::path& path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    const std::string error = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open " + path.string() + ": " + error);
  }
  sqlite3_busy_timeout(db_, 5000);
}

TelemetryDb::~TelemetryDb() { sqlite3_close(db_); }

std::vector<std::vector<std::string>> TelemetryDb::rows(const std::string& sql) const {
  sqlite3_stmt* st = nullptr;
  std::vector<std::vector<std::string>> out;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    throw std::runtime_error("SQL " + sql + ": " + sqlite3_errmsg(db_));
  }
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      const auto* t = sqlite3_column_text(st, c);
      row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
    }
    out.push_back(std::move(row));
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) throw std::runtime_error("SQL " + sql + ": " + sqlite3_errmsg(db_));
  return out;
}

std::optional<std::string> TelemetryDb::text(const std::string& sql) const {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return std::nullopt;
  std::optional<std::string> out;
  if (sqlite3_step(st) == SQLITE_ROW) {
    const auto* t = sqlite3_column_text(st, 0);
    out = t ? reinterpret_cast<const char*>(t) : "";
  }
  sqlite3_finalize(st);
  return out;
}

std::optional<long long> TelemetryDb::number(const std::string& sql) const {
  auto t = text(sql);
  if (!t) return std::nullopt;
  return t->empty() ? 0 : std::stoll(*t);
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace atmo::reliability
