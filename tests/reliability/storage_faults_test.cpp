// The whole daemon when its database cannot be written (issue 8.3): `atmo serve` for the demo venue
// against `atmo sim`, with its state directory on a small tmpfs that the test fills to the last
// byte, and with a database file it may only read (as after a backup restored by root). Each time:
// the API keeps answering, a scene chosen over the API still reaches the simulated device, an
// alarm says what is wrong (GET /api/v1/alarms), and once the cause is gone the readings kept in
// memory meanwhile are written and logging resumes.
// Needs root (mount(2), and dropping to "nobody" so that file modes bite); it fails saying so
// rather than skipping.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <thread>
#include <vector>

#include "tests/reliability/http_client.hpp"
#include "tests/reliability/venue_rig.hpp"

using namespace atmo::reliability;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr uid_t kNobody = 65534;
const std::string kAdmin = "admin";
const std::string kAdminSecret = "Quartz-Lamp-4821";

/// A tmpfs of `megabytes` on `dir`, lazily unmounted at the end whatever happened.
class TmpfsMount {
 public:
  TmpfsMount(const fs::path& dir, int megabytes) : dir_(dir) {
    const std::string options = "size=" + std::to_string(megabytes) + "m,mode=0755";
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      FAIL("cannot mount a " << megabytes << " MB tmpfs on " << dir << ": " << std::strerror(errno)
                             << ". This test fills a real file system and needs root (CI runs as root); "
                                "run it as root rather than skipping it.");
    }
  }
  ~TmpfsMount() { ::umount2(dir_.c_str(), MNT_DETACH); }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

 private:
  fs::path dir_;
};

/// Writes zeros into `file` until the file system says ENOSPC; returns the bytes written.
std::size_t fill_up(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  std::vector<char> zeros(1 << 20, 0);
  std::size_t total = 0;
  for (std::size_t chunk : {std::size_t{1} << 20, std::size_t{4096}, std::size_t{1}}) {
    for (;;) {
      const ssize_t n = ::write(fd, zeros.data(), chunk);
      if (n <= 0) break;
      total += static_cast<std::size_t>(n);
    }
  }
  const int error = errno;
  ::close(fd);
  REQUIRE(error == ENOSPC);
  return total;
}

bool has_alarm(const ApiClient& api, const std::string& kind) {
  const auto reply = api.get("/api/v1/alarms");
  if (reply.status != 200) return false;
  const auto body = reply.json();  // the range below refers into it
  for (const auto& a : body.at("alarms").as_array()) {
    if (a.at("kind").as_string() == kind) return true;
  }
  return false;
}

long long readings_after(const fs::path& db_path, long long t) {
  TelemetryDb db(db_path);
  return db.number("SELECT count(*) FROM readings WHERE time_ms > " + std::to_string(t)).value_or(-1);
}

/// A scene change over the API reaches the lounge's light on the simulated device: the scene whose
/// level differs from what the light has now.
void check_control(const ApiClient& api, SimProcess& sim) {
  const double before = sim.get("lounge.light.level");
  const std::string scene = before == 100 ? "closed" : "cleaning";
  const double want = scene == "closed" ? 0 : 100;
  const auto reply = api.post("/api/v1/zones/lounge/scene", R"({"scene":")" + scene + R"(","reason":"storage test"})");
  INFO(reply.body);
  REQUIRE(reply.status == 200);
  // Cleaning fades in 3 s, closed in 10 s.
  CHECK(wait_until([&] { return sim.get("lounge.light.level") == want; }, 20s, 100ms));
}

}  // namespace

TEST_CASE("a full disk: the API and control keep working, an alarm is raised, logging resumes with nothing lost",
          "[reliability][storage]") {
  if (::geteuid() != 0) FAIL("this test mounts a tmpfs and needs root (CI runs as root); it does not skip");
  TempDir dir("disk-full");
  const fs::path state = dir / "state";
  fs::create_directories(state);
  TmpfsMount mount(state, 24);
  const fs::path venue = write_demo_venue(dir.path());
  SimProcess sim(venue, dir / "sim.log");
  DaemonProcess daemon(venue, state, dir / "daemon.log", DaemonOptions{std::nullopt, true});
  INFO("daemon log: " << daemon.log() << " (ATMO_KEEP_TEST_DIRS=1 keeps it)");
  ApiClient api(daemon.port());
  REQUIRE(api.setup(kAdmin, kAdminSecret).status == 200);
  const fs::path db_path = state / "atmo-demo.db";
  REQUIRE(wait_until([&] { return fs::exists(db_path) && readings_after(db_path, 0) > 200; }, 30s, 100ms));
  CHECK_FALSE(has_alarm(api, "storage"));

  const std::size_t filled = fill_up(state / "filler");
  const long long full_at = now_ms();
  INFO("filled " << filled << " bytes at " << full_at);
  const auto degraded = wait_until([&] { return has_alarm(api, "storage"); }, 20s, 100ms);
  REQUIRE(degraded);
  const long long alarm_ms = now_ms() - full_at;
  // Really full: nothing new reaches the file for a few seconds (the readings wait in memory).
  const long long stored = readings_after(db_path, 0);
  std::this_thread::sleep_for(3s);
  CHECK(readings_after(db_path, 0) == stored);

  // Everything a person does keeps working.
  CHECK(api.get("/api/v1/status").status == 200);
  ApiClient second(daemon.port());
  CHECK(second.login(kAdmin, kAdminSecret).status == 200);
  CHECK(second.get("/api/v1/zones").status == 200);
  check_control(second, sim);
  CHECK(api.get("/api/v1/status").json().at("activeAlarms").to_number<int>() >= 1);

  // Space returns: what waited in memory is written, then logging goes on, and the alarm ends.
  const long long full_until = now_ms();
  fs::remove(state / "filler");
  const long long freed_at = now_ms();
  CHECK(wait_until([&] { return readings_after(db_path, freed_at) > 0; }, 15s, 100ms));
  const long long resumed_ms = now_ms() - freed_at;
  {
    TelemetryDb db(db_path);
    // Readings taken while the disk was full were kept and are in the file now.
    CHECK(db.number("SELECT count(*) FROM readings WHERE time_ms BETWEEN " + std::to_string(full_at + 2000) +
                    " AND " + std::to_string(full_until)).value_or(0) > 100);
    CHECK(db.number("SELECT count(*) FROM events WHERE kind = 'storage.degraded'").value_or(0) >= 1);
    CHECK(wait_until([&] {
      return db.number("SELECT count(*) FROM events WHERE kind = 'storage.recovered'").value_or(0) >= 1;
    }, 10s, 100ms));
    CHECK(db.text("PRAGMA integrity_check") == std::string("ok"));
  }
  CHECK(wait_until([&] { return !has_alarm(api, "storage"); }, 10s, 100ms));

  CHECK(daemon.process().running());
  const int status = daemon.process().terminate(15s);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  std::cout << "disk full: storage alarm after " << alarm_ms << " ms; logging resumed " << resumed_ms
            << " ms after space returned\n";
}

TEST_CASE("a read-only database: the API and control keep working, an alarm is raised, logging resumes once writable",
          "[reliability][storage]") {
  if (::geteuid() != 0) FAIL("this test runs the daemon as 'nobody' so file modes bite, and needs root to do so");
  TempDir dir("read-only-db");
  const fs::path state = dir / "state";
  fs::create_directories(state);
  REQUIRE(::chown(state.c_str(), kNobody, kNobody) == 0);
  const fs::path venue = write_demo_venue(dir.path());
  SimProcess sim(venue, dir / "sim.log");
  const fs::path db_path = state / "atmo-demo.db";
  {
    // A first run creates the database and the admin.
    DaemonProcess first(venue, state, dir / "daemon-1.log", DaemonOptions{kNobody, true});
    ApiClient api(first.port());
    REQUIRE(api.setup(kAdmin, kAdminSecret).status == 200);
    REQUIRE(wait_until([&] { return fs::exists(db_path) && readings_after(db_path, 0) > 100; }, 30s, 100ms));
    const int status = first.process().terminate(15s);
    REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  }
  // The database comes back from a backup restored as root: the daemon's user may only read it.
  for (const auto& f : fs::directory_iterator(state)) {
    if (f.path().filename().string().rfind("atmo-demo.db", 0) == 0) {
      REQUIRE(::chown(f.path().c_str(), 0, 0) == 0);
      REQUIRE(::chmod(f.path().c_str(), 0644) == 0);
    }
  }
  const long long stored_before = readings_after(db_path, 0);
  const long long started_at = now_ms();
  DaemonProcess daemon(venue, state, dir / "daemon-2.log", DaemonOptions{kNobody, true});
  INFO("daemon log: " << daemon.log() << " (ATMO_KEEP_TEST_DIRS=1 keeps it)");
  ApiClient api(daemon.port());
  REQUIRE(api.login(kAdmin, kAdminSecret).status == 200);
  REQUIRE(wait_until([&] { return has_alarm(api, "storage"); }, 20s, 100ms));
  const long long alarm_ms = now_ms() - started_at;
  std::this_thread::sleep_for(2s);
  CHECK(readings_after(db_path, 0) == stored_before);  // really read-only

  CHECK(api.get("/api/v1/status").status == 200);
  CHECK(api.get("/api/v1/zones/lounge").status == 200);
  check_control(api, sim);

  // Someone fixes the ownership: the daemon writes again, what it kept in memory first.
  const long long readonly_until = now_ms();
  for (const auto& f : fs::directory_iterator(state)) {
    if (f.path().filename().string().rfind("atmo-demo.db", 0) == 0) {
      REQUIRE(::chown(f.path().c_str(), kNobody, kNobody) == 0);
    }
  }
  const long long fixed_at = now_ms();
  CHECK(wait_until([&] { return readings_after(db_path, fixed_at) > 0; }, 15s, 100ms));
  const long long resumed_ms = now_ms() - fixed_at;
  {
    TelemetryDb db(db_path);
    CHECK(db.number("SELECT count(*) FROM readings WHERE time_ms BETWEEN " + std::to_string(started_at + 3000) +
                    " AND " + std::to_string(readonly_until)).value_or(0) > 100);
    CHECK(db.text("PRAGMA integrity_check") == std::string("ok"));
  }
  CHECK(wait_until([&] { return !has_alarm(api, "storage"); }, 10s, 100ms));
  const int status = daemon.process().terminate(15s);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  std::cout << "read-only database: storage alarm " << alarm_ms << " ms after start; logging resumed " << resumed_ms
            << " ms after the file became writable\n";
}
