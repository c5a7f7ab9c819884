// kill -9 of the daemon during ingest, then a restart: the database stays intact, what was
// committed stays, at most about the last second of readings is lost, and the scenes come back.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const fs::path& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_busy_timeout(db, 2000);
  }
  ~Db() { sqlite3_close(db); }
  std::string text(const std::string& sql) const {
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return out;
  }
  long long number(const std::string& sql) const {
    const std::string t = text(sql);
    return t.empty() ? 0 : std::stoll(t);
  }
  /// For polling while the daemon may still be creating the schema: -1 until the query works.
  long long number_or_minus_one(const std::string& sql) const {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return -1;
    long long out = -1;
    if (sqlite3_step(st) == SQLITE_ROW) out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return out;
  }
};

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

pid_t start_daemon(const fs::path& state, int port) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const std::string log = (state / "daemon.log").string();
    if (std::freopen(log.c_str(), "a", stdout) == nullptr || std::freopen(log.c_str(), "a", stderr) == nullptr) _exit(126);
    const std::string port_arg = std::to_string(port);
    const std::string state_arg = state.string();
    execl(ATMO_EXE, ATMO_EXE, "demo", "--no-audio", "--port", port_arg.c_str(), "--state-dir", state_arg.c_str(),
          "--history-days", "0", static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

}  // namespace

TEST_CASE("kill -9 during ingest, again and again: the database survives and little is lost", "[integration][restart]") {
  const fs::path state = fs::temp_directory_path() / ("atmo-restart-" + std::to_string(::getpid()));
  fs::remove_all(state);
  fs::create_directories(state);
  const fs::path db_path = state / "atmo-demo.db";
  const int port = 20000 + ::getpid() % 20000;
  std::mt19937 rng(42);
  const int rounds = std::getenv("ATMO_RESTART_ROUNDS") ? std::atoi(std::getenv("ATMO_RESTART_ROUNDS")) : 20;

  long long committed_before = 0;
  std::string scenes_before;
  for (int round = 0; round < rounds; ++round) {
    INFO("round " << round);
    const pid_t pid = start_daemon(state, port);
    // Ingest is under way once this run has committed readings of its own.
    REQUIRE(wait_until([&] {
      if (!fs::exists(db_path)) return false;
      Db db(db_path);
      return db.number_or_minus_one("SELECT count(*) FROM readings") > committed_before + 100;
    }, 20s));
    if (round > 0) {
      // The scenes saved before the last kill were restored: the state written now says the same.
      Db db(db_path);
      CHECK(db.text("SELECT value FROM state WHERE key = 'scenes'").find("\"scene\"") != std::string::npos);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(200, 1500)(rng)));
    const long long killed_at = now_ms();
    REQUIRE(::kill(pid, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);

    Db db(db_path);
    CHECK(db.text("PRAGMA integrity_check") == "ok");
    const long long committed = db.number("SELECT count(*) FROM readings");
    CHECK(committed >= committed_before);  // nothing committed is ever lost
    committed_before = committed;
    // Batches are committed at most max_batch_age (500 ms) after a reading arrives; the fastest point
    // (the fire alarm input) is polled every 250 ms. So the newest committed reading is at most about
    // a second older than the kill.
    const long long newest = db.number("SELECT max(time_ms) FROM readings");
    CHECK(killed_at - newest <= 1250);
    scenes_before = db.text("SELECT value FROM state WHERE key = 'scenes'");
    CHECK_FALSE(scenes_before.empty());
  }

  // A clean run after all that starts normally and records the restarts.
  const pid_t pid = start_daemon(state, port);
  REQUIRE(wait_until([&] {
    Db db(db_path);
    return db.number_or_minus_one("SELECT count(*) FROM events WHERE kind = 'controller.started'") == rounds + 1;
  }, 20s));
  REQUIRE(::kill(pid, SIGTERM) == 0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  Db db(db_path);
  CHECK(db.text("PRAGMA integrity_check") == "ok");
  CHECK(db.number("SELECT count(*) FROM events WHERE kind = 'controller.stopped'") == 1);
  fs::remove_all(state);
}
