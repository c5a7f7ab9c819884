// kill -9 during ingest, many times: the database must pass integrity_check every time, hold every
// reading the child reported as committed, without holes, and lose at most ~1 s of readings.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <random>
#include <sstream>
#include <string>

#include "controller/telemetry/sqlite_connection.hpp"
#include "tests/telemetry/temp_dir.hpp"
#include "zones/clock.hpp"

extern char** environ;

using namespace atmo;
using namespace atmo::telemetry;
using atmo::telemetry::test::TempDir;

namespace {

struct Child {
  pid_t pid = -1;
  int out = -1;  ///< read end of the child's stdout
};

Child spawn_child(const std::string& db) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  std::string exe = TELEMETRY_INGEST_CHILD;
  std::string per_tick = "50";  // ~30k readings/s: batches close on size and on age
  char* argv[] = {exe.data(), const_cast<char*>(db.c_str()), per_tick.data(), nullptr};
  Child child;
  const int rc = posix_spawn(&child.pid, exe.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  REQUIRE(rc == 0);
  child.out = fds[0];
  return child;
}

/// Reads whole lines from the child until `deadline`, calling on_line for each.
template <class OnLine>
void read_lines_until(int fd, std::string& buffer, std::chrono::steady_clock::time_point deadline,
                      OnLine on_line) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return;
    char chunk[4096];
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) return;  // the child died on its own: the caller notices
    buffer.append(chunk, static_cast<std::size_t>(n));
    for (auto nl = buffer.find('\n'); nl != std::string::npos; nl = buffer.find('\n')) {
      const std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      if (on_line(line)) return;
    }
  }
}

struct SeqStats {
  std::int64_t count = 0;
  std::int64_t distinct = 0;
  std::int64_t min = -1;
  std::int64_t max = -1;
  TimeMs max_time = 0;
  std::int64_t rollup_count = 0;
};

SeqStats check_database(const std::string& path) {
  auto db =
      Connection::open(path, Connection::Mode::read_write);  // recovers the WAL like a restart
  REQUIRE(db.ok());
  Connection& c = db.value();
  {
    auto integrity = c.prepare("PRAGMA integrity_check");
    REQUIRE(integrity.ok());
    REQUIRE(integrity.value().step() == SQLITE_ROW);
    REQUIRE(integrity.value().column_text(0) == "ok");
  }
  SeqStats s;
  auto q = c.prepare(
      "SELECT count(*), count(DISTINCT value), coalesce(min(value), -1), coalesce(max(value), -1), "
      "coalesce(max(time_ms), 0) FROM readings "
      "WHERE point_id = (SELECT id FROM points WHERE name = 'test.seq')");
  REQUIRE(q.ok());
  REQUIRE(q.value().step() == SQLITE_ROW);
  s.count = q.value().column_int64(0);
  s.distinct = q.value().column_int64(1);
  s.min = q.value().column_int64(2);
  s.max = q.value().column_int64(3);
  s.max_time = q.value().column_int64(4);
  auto r = c.query_int(
      "SELECT coalesce(sum(count), 0) FROM rollup_1m "
      "WHERE point_id = (SELECT id FROM points WHERE name = 'test.seq')");
  REQUIRE(r.ok());
  s.rollup_count = *r;
  return s;
}

}  // namespace

TEST_CASE("kill -9 during ingest never corrupts the database nor loses a committed reading",
          "[telemetry][integration]") {
  TempDir dir;
  const std::string db = dir.file("crash.db");
  SystemClock clock;
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> delay_ms(50, 500);

  constexpr int kRuns = 20;
  const auto budget_end = std::chrono::steady_clock::now() +
                          std::chrono::seconds(45);  // ~12 s normally, ~20 s under ASan
  int runs = 0;
  int runs_with_commits = 0;
  TimeMs worst_loss_ms = 0;
  std::int64_t expected_start = 0;

  while (runs < kRuns && std::chrono::steady_clock::now() < budget_end) {
    Child child = spawn_child(db);
    std::string buffer;
    std::int64_t start = -1;
    std::int64_t last_committed = -1;
    read_lines_until(child.out, buffer, std::chrono::steady_clock::now() + std::chrono::seconds(20),
                     [&](const std::string& line) {
                       std::istringstream in(line);
                       std::string word;
                       in >> word;
                       if (word == "start") in >> start;
                       return start >= 0;
                     });
    REQUIRE(start >= 0);
    // Each run continues exactly where the committed sequence ended.
    CHECK(start == expected_start);

    auto on_commit_line = [&](const std::string& line) {
      std::istringstream in(line);
      std::string word;
      std::int64_t seq = -1;
      in >> word >> seq;
      if (word == "committed") last_committed = std::max(last_committed, seq);
      return false;
    };
    // Even runs die at a random moment after start-up (possibly before any commit); odd runs at
    // a random moment after their first commit, so every other kill lands mid-ingest.
    if (runs % 2 == 1) {
      read_lines_until(child.out, buffer,
                       std::chrono::steady_clock::now() + std::chrono::seconds(20),
                       [&](const std::string& line) {
                         on_commit_line(line);
                         return last_committed >= start;
                       });
      REQUIRE(last_committed >= start);
    }
    const auto kill_at =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms(random));
    read_lines_until(child.out, buffer, kill_at, on_commit_line);
    const TimeMs killed_at = clock.now_ms();
    REQUIRE(kill(child.pid, SIGKILL) == 0);
    int status = 0;
    REQUIRE(waitpid(child.pid, &status, 0) == child.pid);
    close(child.out);
    // It must have been our SIGKILL that ended it, not a crash of its own.
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGKILL);

    const SeqStats s = check_database(db);
    INFO("run " << runs << ": start " << start << ", reported committed " << last_committed
                << ", stored 0.." << s.max << " (" << s.count << " rows)");
    // No holes and no duplicates: 0..max, each once.
    CHECK(s.min == (s.count > 0 ? 0 : -1));
    CHECK(s.count == s.max + 1);
    CHECK(s.distinct == s.count);
    // Nothing the child saw committed is missing.
    CHECK(s.max >= last_committed);
    // Rollups were committed in the same transactions as the raw rows.
    CHECK(s.rollup_count == s.count);
    if (last_committed >= start) {
      ++runs_with_commits;
      // Everything generated after the last stored reading is lost; that window is bounded.
      worst_loss_ms = std::max(worst_loss_ms, killed_at - s.max_time);
      CHECK(killed_at - s.max_time <= 1000);
    }
    expected_start = s.max + 1;
    ++runs;
  }
  WARN("kill -9 runs: " << runs << ", with commits: " << runs_with_commits
                        << ", worst loss window: " << worst_loss_ms << " ms");
  CHECK(runs >= 20);
  CHECK(runs_with_commits >= runs / 2);
}
