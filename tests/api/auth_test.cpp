// Unit tests of the API's security parts with an injected clock and no sockets: secret hashing,
// secret rules, sessions and their idle expiry, the growing login lockout, the role table, the
// users file, and the thread that checks logins' secrets.
#include <catch2/catch.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "controller/api/password_hash.hpp"
#include "controller/api/permissions.hpp"
#include "controller/api/secret_verifier.hpp"
#include "controller/api/session_manager.hpp"
#include "controller/api/user_store.hpp"

using namespace atmo;
using namespace atmo::api;

namespace {

std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("atmo-api-unit-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

v1::User user(const std::string& name, v1::Role role, std::vector<std::string> zones) {
  v1::User u;
  u.set_username(name);
  u.set_role(role);
  for (auto& z : zones) u.add_zones(z);
  return u;
}

}  // namespace

TEST_CASE("secrets are hashed with PBKDF2-SHA256, a per-user salt and at least 100k iterations") {
  const auto a = hash_secret("483920");
  const auto b = hash_secret("483920");
  CHECK(a.algorithm == "pbkdf2-sha256");
  CHECK(a.iterations >= 100'000);
  CHECK(a.salt_hex.size() == 32);
  CHECK(a.hash_hex.size() == 64);
  CHECK(a.salt_hex != b.salt_hex);  // same PIN, different salt, different hash
  CHECK(a.hash_hex != b.hash_hex);
  CHECK(verify_secret("483920", a));
  CHECK_FALSE(verify_secret("483921", a));
  CHECK_FALSE(verify_secret("", a));
  // A request for fewer iterations is raised to the minimum.
  CHECK(hash_secret("483920", 10).iterations == kMinPbkdf2Iterations);
  auto broken = a;
  broken.hash_hex = "zz";
  CHECK_FALSE(verify_secret("483920", broken));
  broken = a;
  broken.algorithm = "md5";
  CHECK_FALSE(verify_secret("483920", broken));
}

TEST_CASE("PINs need 4 digits, passwords 8 characters") {
  CHECK(check_secret_strength("1234"));
  CHECK_FALSE(check_secret_strength("123"));
  CHECK_FALSE(check_secret_strength(""));
  CHECK_FALSE(check_secret_strength("abc12"));
  CHECK(check_secret_strength("lavender-8"));
  CHECK_FALSE(check_secret_strength(std::string(129, 'x')));
  CHECK(check_secret_strength("123").error().message.find("4 digits") != std::string::npos);
}

TEST_CASE("session tokens are 256-bit random and expire after the idle time") {
  ManualClock clock(1'000'000);
  SessionManager sessions(clock, std::chrono::minutes(30));
  const auto t1 = sessions.create("anna");
  const auto t2 = sessions.create("anna");
  CHECK(t1.size() == 64);
  CHECK(t1 != t2);
  REQUIRE(sessions.validate(t1));
  clock.advance(29 * 60'000);
  REQUIRE(sessions.validate(t1));  // touching it restarts the idle time
  clock.advance(29 * 60'000);
  CHECK(sessions.validate(t1));
  CHECK_FALSE(sessions.validate(t2));  // t2 was idle 58 minutes
  clock.advance(30 * 60'000);
  CHECK_FALSE(sessions.validate(t1));
  CHECK_FALSE(sessions.validate("not-a-token"));
  CHECK(sessions.size() == 0);
}

TEST_CASE("validating without touching does not extend a session; logout and end_user end them") {
  ManualClock clock(0);
  SessionManager sessions(clock, std::chrono::minutes(10));
  const auto a = sessions.create("anna");
  const auto b = sessions.create("boris");
  const auto b2 = sessions.create("boris");
  clock.advance(9 * 60'000);
  CHECK(sessions.validate(a, false));
  clock.advance(2 * 60'000);
  CHECK_FALSE(sessions.validate(a));
  sessions.end_user("boris");
  CHECK_FALSE(sessions.validate(b));
  CHECK_FALSE(sessions.validate(b2));
}

TEST_CASE("the number of sessions is bounded: the longest idle one makes room") {
  ManualClock clock(0);
  SessionManager sessions(clock, std::chrono::minutes(30), 3);
  const auto a = sessions.create("a");
  clock.advance(1000);
  const auto b = sessions.create("b");
  clock.advance(1000);
  const auto c = sessions.create("c");
  clock.advance(1000);
  REQUIRE(sessions.validate(a));  // a is now the most recently used
  const auto d = sessions.create("d");
  CHECK(sessions.size() == 3);
  CHECK(sessions.validate(a));
  CHECK_FALSE(sessions.validate(b));
  CHECK(sessions.validate(c));
  CHECK(sessions.validate(d));
}

TEST_CASE("five failed logins lock the name for 1 minute, then 2, 4, 8 … up to an hour") {
  ManualClock clock(0);
  SessionManager sessions(clock, std::chrono::minutes(30));
  CHECK(sessions.attempts_before_lock("anna") == 5);
  for (int i = 0; i < 4; ++i) CHECK(sessions.note_failure("anna") == 0);
  CHECK(sessions.locked_for("anna") == 0);
  CHECK(sessions.attempts_before_lock("anna") == 1);
  CHECK(sessions.note_failure("anna") == 60'000);
  CHECK(sessions.locked_for("anna") == 60'000);
  CHECK(sessions.attempts_before_lock("anna") == 0);
  CHECK(sessions.locked_for("boris") == 0);  // per name
  CHECK(sessions.attempts_before_lock("boris") == 5);
  clock.advance(60'000);
  CHECK(sessions.locked_for("anna") == 0);
  CHECK(sessions.attempts_before_lock("anna") == 1);  // one more failure locks again
  CHECK(sessions.note_failure("anna") == 120'000);
  clock.advance(120'000);
  CHECK(sessions.note_failure("anna") == 240'000);
  clock.advance(240'000);
  CHECK(sessions.note_failure("anna") == 480'000);
  for (int i = 0; i < 10; ++i) sessions.note_failure("anna");
  CHECK(sessions.locked_for("anna") == kLockoutMaxMs);
  sessions.note_success("anna");
  CHECK(sessions.locked_for("anna") == 0);
  for (int i = 0; i < 4; ++i) CHECK(sessions.note_failure("anna") == 0);  // counting starts over
}

TEST_CASE("the role table: who may do what, and where") {
  const auto reception_all = user("r", v1::ROLE_RECEPTIONIST, {"*"});
  const auto reception_front = user("r2", v1::ROLE_RECEPTIONIST, {"reception", "entrance"});
  const auto therapist = user("t", v1::ROLE_THERAPIST, {"treatment-1"});
  const auto manager = user("m", v1::ROLE_MANAGER, {"*"});
  const auto technician = user("x", v1::ROLE_TECHNICIAN, {"*"});
  const auto admin = user("a", v1::ROLE_ADMIN, {"*"});

  CHECK(allowed(reception_all, Permission::scene_zone, "lounge"));
  CHECK(allowed(reception_front, Permission::scene_zone, "reception"));
  CHECK_FALSE(allowed(reception_front, Permission::scene_zone, "lounge"));
  CHECK(allowed(reception_all, Permission::scene_venue));
  CHECK_FALSE(allowed(reception_front, Permission::scene_venue));
  CHECK_FALSE(allowed(reception_all, Permission::sound, "lounge"));
  CHECK_FALSE(allowed(reception_all, Permission::point_write, "lounge"));

  CHECK(allowed(therapist, Permission::scene_zone, "treatment-1"));
  CHECK_FALSE(allowed(therapist, Permission::scene_zone, "treatment-2"));
  CHECK(allowed(therapist, Permission::sound, "treatment-1"));
  CHECK_FALSE(allowed(therapist, Permission::scene_venue));
  CHECK(allowed(therapist, Permission::alarm_ack, "treatment-1"));
  CHECK_FALSE(allowed(therapist, Permission::alarm_ack, ""));

  CHECK(allowed(manager, Permission::scene_venue));
  CHECK(allowed(manager, Permission::audit));
  CHECK_FALSE(allowed(manager, Permission::users));
  CHECK_FALSE(allowed(manager, Permission::point_write, "lounge"));

  CHECK(allowed(technician, Permission::point_write, "lounge"));
  CHECK(allowed(technician, Permission::test_tone, "lounge"));
  CHECK_FALSE(allowed(manager, Permission::test_tone, "lounge"));
  CHECK_FALSE(allowed(reception_all, Permission::test_tone, "lounge"));
  CHECK_FALSE(allowed(therapist, Permission::test_tone, "treatment-1"));
  CHECK_FALSE(allowed(technician, Permission::scene_zone, "lounge"));
  CHECK_FALSE(allowed(technician, Permission::users));

  CHECK(allowed(admin, Permission::users));
  CHECK(allowed(admin, Permission::point_write, "lounge"));
  CHECK(allowed(admin, Permission::test_tone, "lounge"));

  auto disabled = admin;
  disabled.set_disabled(true);
  CHECK_FALSE(allowed(disabled, Permission::users));
  CHECK_FALSE(allowed(user("n", v1::ROLE_UNSPECIFIED, {"*"}), Permission::scene_zone, "lounge"));

  const auto perms = permissions_of(therapist);
  CHECK(std::find(perms.begin(), perms.end(), "sound") != perms.end());
  CHECK(std::find(perms.begin(), perms.end(), "users") == perms.end());
  const auto tech_perms = permissions_of(technician);
  CHECK(std::find(tech_perms.begin(), tech_perms.end(), "audio.test") != tech_perms.end());
}

TEST_CASE("users are saved atomically, reload with their hash, and keep an enabled admin") {
  const auto dir = temp_dir("users");
  ManualClock clock(5000);
  {
    auto store = UserStore::open(dir / "users.json", clock);
    REQUIRE(store);
    auto& users = **store;
    CHECK(users.empty());
    REQUIRE(users.create(user("anna", v1::ROLE_ADMIN, {}), "90817263"));
    REQUIRE(users.create(user("olga", v1::ROLE_THERAPIST, {"treatment-2"}), "Lavender-42"));
    CHECK_FALSE(users.create(user("olga", v1::ROLE_MANAGER, {}), "Lavender-42"));  // taken
    CHECK_FALSE(users.create(user("Bad Name", v1::ROLE_MANAGER, {}), "Lavender-42"));
    CHECK_FALSE(users.create(user("ivan", v1::ROLE_UNSPECIFIED, {}), "Lavender-42"));
    CHECK_FALSE(users.create(user("ivan", v1::ROLE_MANAGER, {}), "12"));
    CHECK(users.find("anna")->zones(0) == "*");  // an admin acts everywhere
    CHECK_FALSE(users.remove("anna"));            // the last enabled admin
    auto disable = *users.find("anna");
    disable.set_disabled(true);
    CHECK_FALSE(users.update("anna", disable, ""));
    CHECK(users.verify("anna", "90817263"));
    CHECK_FALSE(users.verify("anna", "90817264"));
    CHECK_FALSE(users.verify("nobody", "90817263"));
  }
  std::ifstream in(dir / "users.json");
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str().find("90817263") == std::string::npos);  // only the hash is stored
  CHECK(text.str().find("Lavender-42") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "users.json.tmp"));
  CHECK((std::filesystem::status(dir / "users.json").permissions() & std::filesystem::perms::others_read) ==
        std::filesystem::perms::none);

  auto reopened = UserStore::open(dir / "users.json", clock);
  REQUIRE(reopened);
  auto& users = **reopened;
  CHECK(users.list().size() == 2);
  CHECK(users.verify("olga", "Lavender-42"));
  CHECK(users.find("olga")->role() == v1::ROLE_THERAPIST);
  CHECK(users.find("olga")->zones(0) == "treatment-2");
  auto changed = *users.find("olga");
  changed.set_disabled(true);
  REQUIRE(users.update("olga", changed, ""));
  CHECK_FALSE(users.verify("olga", "Lavender-42"));  // disabled accounts cannot log in
  REQUIRE(users.remove("olga"));
  CHECK_FALSE(users.find("olga"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a users file that is not one is refused with its path") {
  const auto dir = temp_dir("badusers");
  ManualClock clock(0);
  std::ofstream(dir / "users.json") << "{\"users\": 3}";
  auto store = UserStore::open(dir / "users.json", clock);
  REQUIRE_FALSE(store);
  CHECK(store.error().message.find("users.json") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a login check taken before a change of the user no longer counts after it") {
  const auto dir = temp_dir("login-check");
  ManualClock clock(5000);
  auto store = UserStore::open(dir / "users.json", clock);
  REQUIRE(store);
  auto& users = **store;
  REQUIRE(users.create(user("anna", v1::ROLE_ADMIN, {}), "90817263"));
  REQUIRE(users.create(user("olga", v1::ROLE_THERAPIST, {"treatment-2"}), "Lavender-42"));

  const auto anna = users.login_check("anna");
  CHECK(anna.usable);
  CHECK(verify_secret("90817263", anna.hash));
  CHECK(users.still_current("anna", anna));
  // Unknown names get a hash of the same cost that can never log in.
  const auto nobody = users.login_check("nobody");
  CHECK_FALSE(nobody.usable);
  CHECK(nobody.hash.iterations == anna.hash.iterations);
  CHECK_FALSE(users.still_current("nobody", nobody));

  const auto olga = users.login_check("olga");
  REQUIRE(users.update("olga", *users.find("olga"), "Rosewood-77"));  // a new password meanwhile
  CHECK_FALSE(users.still_current("olga", olga));
  const auto olga_now = users.login_check("olga");
  CHECK(users.still_current("olga", olga_now));
  auto disabled = *users.find("olga");
  disabled.set_disabled(true);
  REQUIRE(users.update("olga", disabled, ""));
  CHECK_FALSE(users.still_current("olga", olga_now));
  CHECK_FALSE(users.login_check("olga").usable);
  REQUIRE(users.remove("olga"));
  CHECK_FALSE(users.still_current("olga", olga_now));
  std::filesystem::remove_all(dir);
}

TEST_CASE("the secret verifier answers on the io thread, in order, and refuses when its queue is full") {
  boost::asio::io_context io;
  const auto stored = hash_secret("483920");  // 120,000 rounds: tens of ms per check
  std::map<int, bool> answers;
  int accepted = 0, refused = 0;
  {
    SecretVerifier verifier(io, 2);
    // Six checks at once: one is taken up by the thread, two may wait, the rest are refused.
    for (int i = 0; i < 6; ++i) {
      const bool queued = verifier.submit(i % 2 ? "483920" : "000000", stored, [&answers, i](bool match) {
        answers[i] = match;
      });
      (queued ? accepted : refused) += 1;
    }
    CHECK(accepted >= 2);
    CHECK(accepted <= 3);
    CHECK(refused == 6 - accepted);
    CHECK(answers.empty());  // nothing is answered off the io thread
    auto busy = boost::asio::make_work_guard(io);  // run_one waits for the answers to be posted
    while (static_cast<int>(answers.size()) < accepted) io.run_one();
  }
  REQUIRE(static_cast<int>(answers.size()) == accepted);
  for (const auto& [i, match] : answers) {
    CHECK(i < accepted);              // the first ones were taken, in order
    CHECK(match == (i % 2 == 1));     // the right PIN matches, the wrong one does not
  }
}

TEST_CASE("a verifier going away drops the checks still waiting without answering them") {
  boost::asio::io_context io;
  const auto stored = hash_secret("483920");
  int answered = 0;
  int accepted = 0;
  {
    SecretVerifier verifier(io, 8);
    for (int i = 0; i < 8; ++i) accepted += verifier.submit("483920", stored, [&answered](bool) { ++answered; }) ? 1 : 0;
  }  // joins after the check in hand
  CHECK(accepted == 8);
  io.run();
  CHECK(answered <= 1);  // at most the one that was being computed
}
