// The daemon commands run as a technician runs them: the real `atmo` binary against `atmo demo
// --no-audio` (the demo users: admin 1111, manager 2222, reception 3333, therapist 4444,
// technician 5555), checking what they print and their documented exit codes.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <boost/json.hpp>

#include "cli_rig.hpp"
#include "controller/cli/exit_codes.hpp"

namespace atmo::cli::test {
namespace {

namespace json = boost::json;

const std::vector<std::string> kDemoZones = {"entrance", "reception", "changing", "lounge",
                                             "treatment-1", "treatment-2", "hammam", "tea"};

json::value parse(const std::string& text) {
  INFO(text);
  return json::parse(text);
}

std::string str(const json::value& v, const char* key) { return std::string(v.at(key).as_string()); }

/// The first line of `text` that contains both needles ("" when none).
std::string line_containing(const std::string& text, const std::string& needle, const std::string& also) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos && line.find(also) != std::string::npos) return line;
  }
  return {};
}

/// The line of `text` that starts with `prefix` ("" when none).
std::string line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return {};
}

}  // namespace

TEST_CASE("atmo login, status, zones and logout against the demo") {
  TempDir dir;
  DemoDaemon demo(dir);

  auto r = demo.run("status");
  CHECK(r.code == kExitDenied);
  CHECK_THAT(r.err, Catch::Contains("not logged in to " + demo.url() + ": run 'atmo login --daemon " + demo.url() + "'"));

  r = demo.login("admin", "9999");
  CHECK(r.code == kExitDenied);
  CHECK_THAT(r.err, Catch::Contains("wrong user name or PIN/password"));
  CHECK_FALSE(std::filesystem::exists(demo.token_file()));

  r = demo.run("login", "1111\n");  // no terminal to ask for the user name on
  CHECK(r.code == kExitUsage);
  CHECK_THAT(r.err, Catch::Contains("name the user with --user"));

  r = demo.login("admin", "1111");
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::Contains("logged in to " + demo.url() + " as admin (admin)"));
  struct stat info {};
  REQUIRE(::stat(demo.token_file().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  const auto stored = slurp(demo.token_file());
  CHECK_THAT(stored, Catch::StartsWith("daemon " + demo.url() + "\nuser admin\ntoken "));
  CHECK(r.out.find(stored.substr(stored.find("token ") + 6, 16)) == std::string::npos);  // the token is not printed

  r = demo.run("status");
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::StartsWith("Aurora Spa · day part "));
  CHECK_THAT(r.out, Catch::Contains("ZONE") && Catch::Contains("SIGHT") && Catch::Contains("TASTE"));
  for (const auto& zone : kDemoZones) CHECK_FALSE(line_starting(r.out, zone + " ").empty());
  CHECK_THAT(r.out, Catch::Contains("\nAlarms ") && Catch::Contains("\nDevices "));
  CHECK(r.out.find('\033') == std::string::npos);  // no colour when not on a terminal

  r = demo.run("status --json");
  REQUIRE(r.code == kExitOk);
  const auto status = parse(r.out);
  CHECK(str(status.at("status"), "venue") == "aurora-spa");
  CHECK(status.at("zones").at("zones").as_array().size() == kDemoZones.size());
  CHECK(status.at("devices").at("devices").as_array().size() ==
        static_cast<std::size_t>(status.at("status").at("devices").as_int64()));
  CHECK(status.at("alarms").at("alarms").is_array());

  r = demo.run("zones");
  REQUIRE(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::StartsWith("ZONE"));
  CHECK_THAT(line_starting(r.out, "lounge "), Catch::Contains("Relaxation lounge"));
  r = demo.run("zones lounge");
  REQUIRE(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::StartsWith("Relaxation lounge (lounge)"));
  CHECK_THAT(r.out, Catch::Contains("lounge.lux.illuminance") && Catch::Contains("POINT"));
  CHECK(r.out.find("hammam.") == std::string::npos);
  r = demo.run("zones lounge --json");
  REQUIRE(r.code == kExitOk);
  CHECK(str(parse(r.out), "zone") == "lounge");
  r = demo.run("zones spa-pool");
  CHECK(r.code == kExitUsage);
  CHECK_THAT(r.err, Catch::Contains("no zone 'spa-pool'"));

  r = demo.run("logout");
  CHECK(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::Contains("logged out of " + demo.url()));
  CHECK_FALSE(std::filesystem::exists(demo.token_file()));
  CHECK(demo.run("status").code == kExitDenied);

  // A token the daemon no longer knows (a restart, an idle timeout) says how to log in again.
  std::filesystem::create_directories(dir.file("config") + "/atmo");
  std::ofstream(demo.token_file()) << "daemon " << demo.url() << "\nuser admin\ntoken 0123456789abcdef\n";
  r = demo.run("zones");
  CHECK(r.code == kExitDenied);
  CHECK_THAT(r.err, Catch::Contains("your session on " + demo.url() + " has ended") && Catch::Contains("atmo login"));
  // ATMO_TOKEN overrides the stored token.
  auto env = demo.env();
  env["ATMO_TOKEN"] = "not-a-token";
  r = run_atmo(dir, "zones", env);
  CHECK(r.code == kExitDenied);
  CHECK_THAT(r.err, Catch::Contains("the token in ATMO_TOKEN is not valid"));
  // A token stored for another daemon is not sent to this one.
  std::ofstream(demo.token_file()) << "daemon http://10.9.8.7:8080\nuser admin\ntoken 0123456789abcdef\n";
  r = demo.run("zones");
  CHECK(r.code == kExitDenied);
  CHECK_THAT(r.err, Catch::Contains("not logged in to " + demo.url()));
}

TEST_CASE("atmo scene set shows in status, and roles, unknown scenes and zones are refused") {
  TempDir dir;
  DemoDaemon demo(dir);
  REQUIRE(demo.login("manager", "2222").code == kExitOk);

  auto r = demo.run("scene set lounge evening --hold 30 --reason 'cli test'");
  INFO(r.out << r.err);
  REQUIRE(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::Matches("lounge: scene evening \\(fade \\d+ s\\), held until \\d\\d:\\d\\d\n"));
  r = demo.run("status");
  REQUIRE(r.code == kExitOk);
  const auto lounge = line_starting(r.out, "lounge ");
  CHECK_THAT(lounge, Catch::Matches("lounge +evening .* held until \\d\\d:\\d\\d \\(manager\\)"));
  r = demo.run("zones lounge --json");
  REQUIRE(r.code == kExitOk);
  const auto zone = parse(r.out);
  CHECK(str(zone, "scene") == "evening");
  CHECK(str(zone, "causeWho") == "manager");
  CHECK(str(zone, "causeWhy") == "cli test");
  CHECK(str(zone.at("hold"), "kind") == "until_time");

  r = demo.run("scene set lounge disco");
  CHECK(r.code == kExitUsage);
  CHECK_THAT(r.err, Catch::Contains("zone 'lounge' has no scene 'disco' (it has: "));
  r = demo.run("scene set spa-pool day");
  CHECK(r.code == kExitUsage);
  CHECK_THAT(r.err, Catch::Contains("no zone 'spa-pool'"));
  r = demo.run("scene set lounge day --hold 20000");
  CHECK(r.code == kExitUsage);  // CLI11 range check: at most a week

  r = demo.run("scene venue day");
  REQUIRE(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::StartsWith("venue scene day:"));
  for (const auto& z : kDemoZones) CHECK_THAT(r.out, Catch::Contains("  " + z + " "));

  r = demo.run("scene list lounge");
  REQUIRE(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::StartsWith("lounge (Relaxation lounge)") && Catch::Contains("  evening — "));
  r = demo.run("scene list");
  REQUIRE(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::Contains("venue scenes"));

  // Roles: the technician may not change scenes; the therapist only in her own room.
  REQUIRE(demo.login("technician", "5555").code == kExitOk);
  r = demo.run("scene set lounge day");
  CHECK(r.code == kExitDenied);
  CHECK_THAT(r.err, Catch::Contains("a technician may not do scene.zone (you are logged in as technician)"));
  REQUIRE(demo.login("therapist", "4444").code == kExitOk);
  r = demo.run("scene set lounge day");
  CHECK(r.code == kExitDenied);
  CHECK_THAT(r.err, Catch::Contains("only in their own zones, not in 'lounge'"));
  r = demo.run("scene set treatment-1 massage");
  CHECK(r.code == kExitOk);
  r = demo.run("scene venue day");
  CHECK(r.code == kExitDenied);
  // Nothing the refused commands asked for happened.
  r = demo.run("zones lounge --json");
  REQUIRE(r.code == kExitOk);
  CHECK(str(parse(r.out), "scene") == "day");
}

TEST_CASE("atmo zones shows a technician's point write as an override until the next scene change") {
  TempDir dir;
  DemoDaemon demo(dir);
  REQUIRE(demo.login("technician", "5555").code == kExitOk);
  REQUIRE(http_post(demo.port(), "/api/v1/points/lounge.light.cct/write", R"({"value":2500,"reason":"lamp test"})",
                    demo.token()) == 200);
  auto r = demo.run("zones lounge");
  INFO(r.out << r.err);
  REQUIRE(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::Matches("(.|\n)*  override lounge\\.light\\.cct = 2500 by technician since \\d\\d:\\d\\d "
                                   "\\(until the next scene change\\)\n(.|\n)*"));
  r = demo.run("zones");
  REQUIRE(r.code == kExitOk);
  CHECK_THAT(line_starting(r.out, "lounge "), Catch::Contains("1 override(s)"));

  REQUIRE(demo.login("manager", "2222").code == kExitOk);
  REQUIRE(demo.run("scene set lounge evening").code == kExitOk);
  r = demo.run("zones lounge");
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("override") == std::string::npos);
  CHECK(line_starting(demo.run("zones").out, "lounge ").find("override") == std::string::npos);
}

TEST_CASE("atmo schedule, devices, alarms and check against the demo") {
  TempDir dir;
  DemoDaemon demo(dir);
  REQUIRE(demo.login("reception", "3333").code == kExitOk);

  auto r = demo.run("schedule");
  INFO(r.out << r.err);
  REQUIRE(r.code == kExitOk);
  CHECK_THAT(r.out.substr(0, r.out.find('\n')),
             Catch::Matches("Today \\d{4}-\\d\\d-\\d\\d \\(Europe/Riga\\): program \\S+ — .+"));
  r = demo.run("schedule --json");
  REQUIRE(r.code == kExitOk);
  const auto schedule = parse(r.out);
  CHECK(str(schedule, "timeZone") == "Europe/Riga");
  // Every change of today's program is listed at its local time.
  const auto text = demo.run("schedule").out;
  for (const auto& change : schedule.at("todayChanges").as_array()) {
    CHECK_THAT(text, Catch::Contains(str(change, "localTime") + "  " + str(change, "venueScene")));
  }
  r = demo.run("schedule tomorrow");
  REQUIRE(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::StartsWith("Tomorrow " + str(schedule.at("tomorrowProgram"), "date")));
  CHECK(demo.run("schedule yesterday").code == kExitUsage);

  // Devices: wait (bounded) until the daemon has polled every device once.
  json::value devices;
  for (int i = 0; i < 100; ++i) {
    r = demo.run("devices --json");
    REQUIRE(r.code == kExitOk);
    devices = parse(r.out);
    bool all = true;
    for (const auto& d : devices.at("devices").as_array()) all = all && d.at("online").as_bool();
    if (all) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  r = demo.run("devices");
  REQUIRE(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::Contains("P50 ms") && Catch::Contains("P99 ms") && Catch::Contains("LAST ERROR"));
  for (const auto& d : devices.at("devices").as_array()) {
    INFO(str(d, "deviceId"));
    CHECK(d.at("online").as_bool());
    CHECK_THAT(line_starting(r.out, str(d, "deviceId") + " "), Catch::Contains(" online "));
  }
  for (const char* bus : {"front ", "wellness ", "wet "}) CHECK_FALSE(line_starting(r.out, bus).empty());
  r = demo.run("devices --problems");
  REQUIRE(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::StartsWith("every device is online, with no errors"));

  // Alarms: the text lists every alarm the API lists (acknowledging: the served venue's test).
  r = demo.run("alarms --json");
  REQUIRE(r.code == kExitOk);
  const auto alarms = parse(r.out).at("alarms").as_array();
  r = demo.run("alarms");
  REQUIRE(r.code == kExitOk);
  if (alarms.empty()) CHECK(r.out == "no active alarms\n");
  for (const auto& a : alarms) CHECK_THAT(r.out, Catch::Contains("id " + str(a, "id")));
  r = demo.run("alarms ack criterion:lounge.nothing:0");
  CHECK(r.code == kExitUsage);
  CHECK_THAT(r.err, Catch::Contains("no active alarm 'criterion:lounge.nothing:0'"));

  // check: exit 1 exactly when a zone is out of standard, and the text says which.
  r = demo.run("check --json");
  const auto compliance = parse(r.out);
  std::vector<std::string> out_of_standard;
  for (const auto& z : compliance.at("zones").as_array()) {
    for (const auto& s : z.at("senses").as_array()) {
      if (str(s, "state") == "out_of_standard") {
        out_of_standard.push_back(str(z, "zone"));
        break;
      }
    }
  }
  CHECK(r.code == (out_of_standard.empty() ? kExitOk : kExitFailure));
  r = demo.run("check");
  CHECK(r.code == (out_of_standard.empty() ? kExitOk : kExitFailure));
  CHECK_THAT(r.out, Catch::StartsWith("Compliance now, day part "));
  for (const auto& zone : kDemoZones) CHECK_FALSE(line_starting(r.out, zone + " ").empty());
  if (out_of_standard.empty()) {
    CHECK_THAT(r.out, Catch::EndsWith("every zone is within its standard\n"));
  } else {
    CHECK_THAT(r.out, Catch::Contains(" out of standard: " + out_of_standard.front()));
  }
}

TEST_CASE("against atmo serve and atmo sim: check fails out of standard, devices go offline, alarms are acknowledged") {
  TempDir dir;
  ServedVenue venue(dir);
  REQUIRE(venue.run("login --user admin", "1111\n").code == kExitOk);

  // Stale air in the lounge: far above its CO2 band; with a 1 s tolerance, out of standard at once.
  REQUIRE(venue.ctl("set lounge.co2.co2 3000").code == 0);
  const auto lounge_co2_state = [&] {
    const auto compliance = parse(venue.run("check --json").out);
    for (const auto& z : compliance.at("zones").as_array()) {
      if (str(z, "zone") != "lounge") continue;
      for (const auto& c : z.at("criteria").as_array()) {
        if (str(c, "id") == "co2") return str(c, "state");
      }
    }
    return std::string("missing");
  };
  std::string state;
  for (int i = 0; i < 100 && state != "out_of_standard"; ++i) {
    if (i) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    state = lounge_co2_state();
  }
  REQUIRE(state == "out_of_standard");
  auto r = venue.run("check");
  INFO(r.out << r.err);
  CHECK(r.code == kExitFailure);
  CHECK_THAT(r.out, Catch::Contains(" out of standard: ") && Catch::Contains("lounge"));
  // The CO2 model carries on from the forced 3000 ppm: the value may have moved a little.
  CHECK_THAT(line_containing(r.out, " lounge ", " co2: "),
             Catch::Matches("  out_of_standard +lounge +smell +co2: \\d+(\\.\\d+)? \\(standard 350\\.\\.1000\\) for \\d+ s"));
  CHECK(venue.run("check --json").code == kExitFailure);

  // A device that stops answering shows as offline, with its last error, and raises an alarm.
  REQUIRE(venue.ctl("fault lounge.air drop").code == 0);
  bool offline = false;
  for (int i = 0; i < 100 && !offline; ++i) {
    if (i) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto devices = parse(venue.run("devices --json").out);
    for (const auto& d : devices.at("devices").as_array()) {
      if (str(d, "deviceId") == "lounge.air") offline = !d.at("online").as_bool();
    }
  }
  REQUIRE(offline);
  r = venue.run("devices --problems");
  CHECK(r.code == kExitOk);
  CHECK_THAT(line_starting(r.out, "lounge.air "), Catch::Contains(" offline ") && Catch::Contains(" ago)"));
  r = venue.run("status");
  CHECK_THAT(r.out, Catch::Contains("\n  offline  lounge.air  bus wellness unit "));

  // Its alarm (and the CO2 one) listed, then acknowledged by id.
  std::string device_alarm;
  json::array alarms;
  for (int i = 0; i < 50 && device_alarm.empty(); ++i) {
    if (i) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    alarms = parse(venue.run("alarms --json").out).at("alarms").as_array();
    for (const auto& a : alarms) {
      if (str(a, "id").rfind("device:lounge.air:", 0) == 0) device_alarm = str(a, "id");
    }
  }
  REQUIRE_FALSE(device_alarm.empty());
  r = venue.run("alarms");
  CHECK(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::Contains("id " + device_alarm + " · ") && Catch::Contains("id criterion:lounge.co2:") &&
                        Catch::Contains("unacknowledged"));
  r = venue.run("alarms ack '" + device_alarm + "' --note 'cable checked'");
  INFO(r.err);
  CHECK(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::StartsWith("acknowledged: ") && Catch::EndsWith(" (by admin)\n"));
  r = venue.run("alarms");
  CHECK_THAT(r.out, Catch::Contains("acknowledged by admin at ") && Catch::Contains(": cable checked"));
  r = venue.run("status");
  CHECK_THAT(r.out, Catch::Contains("\nAlarms ") && Catch::Contains(" active, "));
  CHECK(venue.ctl("fault lounge.air clear").code == 0);
}

TEST_CASE("atmo sensors watch prints live updates, and --once and --json serve scripts") {
  TempDir dir;
  DemoDaemon demo(dir);
  REQUIRE(demo.login("technician", "5555").code == kExitOk);

  auto r = demo.run("sensors watch lounge --count 3", {}, 30);
  INFO(r.out << r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(count(r.out, "Sensors in lounge · ") == 3);  // the snapshot and two live updates
  CHECK(count(r.out, "\nPOINT ") == 3);
  CHECK_THAT(r.out, Catch::Contains("lounge.lux.illuminance") && Catch::Contains("STANDARD"));
  CHECK(r.out.find("hammam.") == std::string::npos);

  r = demo.run("sensors watch --once --json");
  REQUIRE(r.code == kExitOk);
  REQUIRE(count(r.out, "\n") == 1);
  const auto batch = parse(r.out);
  const auto venue_points = [&] {
    std::size_t n = 0;
    const auto venue = parse(demo.run("scene list --json").out);
    for (const auto& z : venue.at("zones").as_array()) n += z.at("points").as_array().size();
    return n;
  }();
  CHECK(batch.at("readings").as_array().size() == venue_points);

  r = demo.run("sensors watch spa-pool --once");
  CHECK(r.code == kExitUsage);
  CHECK_THAT(r.err, Catch::Contains("no zone 'spa-pool' (zones: entrance, reception"));
}

TEST_CASE("atmo audio test-tone: roles, the zone's cap, and a daemon without audio") {
  TempDir dir;
  DemoDaemon demo(dir);  // --no-audio
  REQUIRE(demo.login("manager", "2222").code == kExitOk);
  auto r = demo.run("audio test-tone lounge");
  CHECK(r.code == kExitDenied);
  CHECK_THAT(r.err, Catch::Contains("a manager may not do audio.test"));

  REQUIRE(demo.login("technician", "5555").code == kExitOk);
  r = demo.run("audio test-tone lounge --seconds 2");
  CHECK(r.code == kExitFailure);
  CHECK_THAT(r.err, Catch::Contains("this daemon runs without an audio engine (--no-audio)"));
  r = demo.run("audio test-tone lounge --level-db -3");  // the lounge's cap is lower
  CHECK(r.code == kExitUsage);
  CHECK_THAT(r.err, Catch::Contains("the zone's audio cap is"));
  r = demo.run("audio test-tone spa-pool");
  CHECK(r.code == kExitUsage);
  CHECK_THAT(r.err, Catch::Contains("no zone 'spa-pool'"));
  CHECK(demo.run("audio test-tone lounge --seconds 100").code == kExitUsage);

  // Every attempt is in the audit log, allowed or not.
  const auto audit = slurp(dir.file("state") + "/audit.jsonl");
  CHECK(count(audit, "\"action\":\"audio.test-tone\"") == 4);
}

TEST_CASE("atmo over HTTPS: --cacert trusts a self-signed daemon, --insecure skips the check, others are refused") {
  TempDir dir;
  const std::string cert = dir.file("cert.pem"), key = dir.file("key.pem");
  const std::string make_cert = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
                                " -addext subjectAltName=IP:127.0.0.1 -keyout " + quote(key) + " -out " + quote(cert) +
                                " >/dev/null 2>&1";
  REQUIRE(std::system(make_cert.c_str()) == 0);
  const int port = free_port();
  // The real daemon on the demo venue, with no users yet (serve seeds none).
  Child daemon({kAtmo, "serve", "--config", std::string(ATMO_SOURCE_DIR) + "/config/venues/demo.yaml", "--state-dir",
                dir.file("state"), "--listen", "127.0.0.1:" + std::to_string(port), "--tls-cert", cert, "--tls-key", key,
                "--no-audio"},
               dir.file("serve"));
  REQUIRE(daemon.wait_for_output("is running", 30));
  const std::map<std::string, std::string> env = {{"XDG_CONFIG_HOME", dir.file("config")}};
  const std::string https = "https://127.0.0.1:" + std::to_string(port);

  auto r = run_atmo(dir, "status --daemon " + https + " --cacert " + quote(cert), env);
  CHECK(r.code == kExitDenied);  // the TLS session works; the daemon wants its first admin
  CHECK_THAT(r.err, Catch::Contains("the daemon at " + https + " has no users yet"));
  r = run_atmo(dir, "status --daemon " + https + " --insecure", env);
  CHECK(r.code == kExitDenied);

  r = run_atmo(dir, "status --daemon " + https, env);  // self-signed: not trusted by default
  CHECK(r.code == kExitUnreachable);
  CHECK_THAT(r.err, Catch::Contains("certificate verify failed") && Catch::Contains("--cacert"));
  r = run_atmo(dir, "status --daemon https://localhost:" + std::to_string(port) + " --cacert " + quote(cert), env);
  CHECK(r.code == kExitUnreachable);  // the certificate names 127.0.0.1, not localhost
  r = run_atmo(dir, "status --daemon http://127.0.0.1:" + std::to_string(port), env);
  CHECK(r.code == kExitUnreachable);
  CHECK_THAT(r.err, Catch::Contains("If the daemon serves HTTPS, write " + https));
}

TEST_CASE("the daemon commands say when the daemon cannot be reached (exit 4) or the URL is bad (2)") {
  TempDir dir;
  const std::map<std::string, std::string> env = {{"XDG_CONFIG_HOME", dir.file("config")}};
  const std::string nowhere = "http://127.0.0.1:" + std::to_string(free_port());
  for (const char* command : {"status", "zones", "schedule", "devices", "alarms", "check", "sensors watch --once",
                              "scene set lounge day", "audio test-tone lounge"}) {
    INFO(command);
    const auto r = run_atmo(dir, std::string(command) + " --daemon " + nowhere, env);
    CHECK(r.code == kExitUnreachable);
    CHECK_THAT(r.err, Catch::Contains("cannot reach the daemon at " + nowhere + ": Connection refused") &&
                          Catch::Contains("Is the daemon running?"));
  }
  auto r = run_atmo(dir, "login --user admin --daemon " + nowhere, env, "1111\n");
  CHECK(r.code == kExitUnreachable);
  auto with_env = env;
  with_env["ATMO_DAEMON"] = nowhere;
  CHECK(run_atmo(dir, "status", with_env).code == kExitUnreachable);

  r = run_atmo(dir, "status --daemon ftp://spa-box", env);
  CHECK(r.code == kExitUsage);
  CHECK_THAT(r.err, Catch::Contains("the scheme must be http or https"));
  r = run_atmo(dir, "status --daemon http://spa-box:8080/api", env);
  CHECK(r.code == kExitUsage);

  r = run_atmo(dir, "status --help", env);
  CHECK(r.code == kExitOk);
  CHECK_THAT(r.out, Catch::Contains("--daemon") && Catch::Contains("--json") && Catch::Contains("Examples"));
}

}  // namespace atmo::cli::test
