// Intruders against the real daemon process (issue 8.5), adding to tests/api (which drives the API
// in-process: every role against every state-changing endpoint, lockout, Origin, idle expiry, one
// audit record per action; see docs/reliability.md for the map):
//   * every state-changing endpoint docs/api.md lists refuses a request without a session, with a
//     forged cookie, a forged bearer token and a logged-out session: 401, one audit record each,
//     and nothing changed; and no documented path takes a state-changing method it does not list;
//   * no PIN, password, session token or cookie appears anywhere the daemon writes: its stdout and
//     stderr, the audit log, the users file and the database's event log, over a session of
//     setup, user management, good and bad logins, a lockout, bearer tokens and logouts.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/reliability/http_client.hpp"
#include "tests/reliability/venue_rig.hpp"

using namespace atmo::reliability;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kAdminPassword = "Cobalt-Heron-5917";

struct Endpoint {
  std::string method;
  std::string path;     ///< with placeholders filled in
  std::string role;     ///< as documented: "any", "none", "admin", "see roles", …
  std::string request;  ///< the request message documented for it
};

/// The endpoint table of docs/api.md: | METHOD | `/api/v1/…` | role | request | response |
std::vector<Endpoint> documented_endpoints() {
  std::istringstream doc(read_file(fs::path(ATMO_SOURCE_DIR) / "docs/api.md"));
  const std::regex row(R"(^\|\s*(GET|POST|PUT|DELETE|PATCH)\s*\|\s*`(/api/v1/[^`]*)`\s*\|([^|]*)\|([^|]*)\|)");
  const std::map<std::string, std::string> placeholders = {
      {"{zone}", "lounge"}, {"{item}", "herbal-tea"}, {"{id}", "criterion:lounge.co2:1"},
      {"{point}", "lounge.light.level"}, {"{username}", "admin"}, {"{date}", "2026-12-24"}};
  std::vector<Endpoint> out;
  for (std::string line; std::getline(doc, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, row)) continue;
    std::string path = m[2];
    path = path.substr(0, path.find('?'));
    for (auto open = path.find('{'); open != std::string::npos; open = path.find('{')) {
      const auto close = path.find('}', open);
      const std::string name = path.substr(open, close - open + 1);
      const auto it = placeholders.find(name);
      path.replace(open, close - open + 1, it != placeholders.end() ? it->second : name.substr(1, name.size() - 2));
    }
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(' '));
      s.erase(s.find_last_not_of(' ') + 1);
      return s;
    };
    out.push_back(Endpoint{m[1], path, trim(m[3]), trim(m[4])});
  }
  return out;
}

/// A well-formed body for the documented request, so a refusal is about the session, not the body.
std::string body_for(const Endpoint& e) {
  if (e.request.find("SceneRequest") != std::string::npos) return R"({"scene":"evening","reason":"intruder"})";
  if (e.request.find("SoundRequest") != std::string::npos) return R"({"levelDb":-30})";
  if (e.request.find("PointWriteRequest") != std::string::npos) return R"({"value":42,"reason":"intruder"})";
  if (e.request.find("UserRequest") != std::string::npos) {
    return R"({"user":{"username":"mallory","role":"ROLE_ADMIN","zones":["*"]},"secret":"61524378"})";
  }
  if (e.request.find("AckRequest") != std::string::npos) return R"({"note":"intruder"})";
  return "{}";
}

std::vector<std::string> audit_lines(const fs::path& state) {
  std::vector<std::string> out;
  std::istringstream in(read_file(state / "audit.jsonl"));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("security: every documented state-changing endpoint refuses anyone without a live session",
          "[reliability][security]") {
  TempDir dir("intruders");
  const fs::path venue = write_demo_venue(dir.path());
  const fs::path state = dir / "state";
  SimProcess sim(venue, dir / "sim.log");
  DaemonProcess daemon(venue, state, dir / "daemon.log");
  INFO("daemon log: " << daemon.log() << " (ATMO_KEEP_TEST_DIRS=1 keeps it)");
  ApiClient admin(daemon.port());
  REQUIRE(admin.setup("admin", kAdminPassword).status == 200);

  const auto endpoints = documented_endpoints();
  REQUIRE(endpoints.size() >= 25);  // the table was found and read
  std::vector<Endpoint> changing;
  for (const auto& e : endpoints) {
    if (e.method != "GET" && e.role.rfind("none", 0) != 0) changing.push_back(e);
  }
  REQUIRE(changing.size() >= 10);

  // Before: what an intruder would like to change.
  const auto lounge_before = admin.get("/api/v1/zones/lounge").json().at("scene");
  const auto users_before = admin.get("/api/v1/users").body;
  const double light_before = sim.get("lounge.light.level");

  // A session that existed and was ended.
  ApiClient gone(daemon.port());
  REQUIRE(gone.login("admin", kAdminPassword).status == 200);
  REQUIRE(gone.post("/api/v1/logout", "{}").status == 204);

  const std::string origin = "http://127.0.0.1:" + std::to_string(daemon.port());
  const std::string forged(64, 'a');
  const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> intruders = {
      {"no session", {{"Origin", origin}}},
      {"forged cookie", {{"Origin", origin}, {"Cookie", "atmo_session=" + forged}}},
      {"forged bearer token", {{"Authorization", "Bearer " + forged}}},
      {"logged-out session", {{"Origin", origin}, {"Cookie", gone.cookie()}}},
  };
  std::size_t records = audit_lines(state).size();
  int refused = 0;
  for (const auto& e : changing) {
    for (const auto& [who, headers] : intruders) {
      INFO(e.method << " " << e.path << " with " << who);
      const auto r = http_request(daemon.port(), e.method, e.path, body_for(e), headers);
      CHECK(r.status == 401);
      CHECK(r.body.find("\"unauthorized\"") != std::string::npos);
      const auto lines = audit_lines(state);
      REQUIRE(lines.size() == ++records);  // exactly one record for each refused action
      const auto record = boost::json::parse(lines.back());
      CHECK(record.at("status").to_number<int>() == 401);
      CHECK(record.at("result").as_string() != "ok");
      ++refused;
    }
  }
  // Nothing changed.
  CHECK(admin.get("/api/v1/zones/lounge").json().at("scene") == lounge_before);
  CHECK(admin.get("/api/v1/users").body == users_before);
  CHECK(sim.get("lounge.light.level") == light_before);

  // No documented path takes a state-changing method the table does not list for it.
  std::set<std::pair<std::string, std::string>> listed;
  std::set<std::string> paths;
  for (const auto& e : endpoints) {
    listed.insert({e.method, e.path});
    paths.insert(e.path);
  }
  int probed = 0;
  for (const auto& path : paths) {
    for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
      if (listed.contains({method, path})) continue;
      INFO(method << " " << path << " is not in docs/api.md");
      const auto r = http_request(daemon.port(), method, path, "{}", {{"Origin", origin}, {"Cookie", admin.cookie()}});
      CHECK((r.status == 405 || r.status == 404));
      ++probed;
    }
  }
  const int status = daemon.process().terminate(15s);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  std::cout << "security: " << changing.size() << " state-changing endpoints x " << intruders.size()
            << " intruders refused (" << refused << " requests, one audit record each); " << probed
            << " undocumented method/path pairs answer 404/405\n";
}

TEST_CASE("security: no PIN, password, token or cookie in anything the daemon writes", "[reliability][security]") {
  TempDir dir("secrets");
  const fs::path venue = write_demo_venue(dir.path());
  const fs::path state = dir / "state";
  SimProcess sim(venue, dir / "sim.log");
  DaemonProcess daemon(venue, state, dir / "daemon.log");
  INFO("daemon log: " << daemon.log() << " (ATMO_KEEP_TEST_DIRS=1 keeps it)");

  // Secrets long enough that they cannot turn up by chance inside a timestamp or a port number.
  std::vector<std::string> secrets = {kAdminPassword};
  ApiClient admin(daemon.port());
  REQUIRE(admin.setup("admin", kAdminPassword).status == 200);
  const std::string reception_pin = "48261937", therapist_pin = "73950264", new_pin = "59183746";
  const std::string technician_password = "Saffron-Kettle-8830";
  secrets.insert(secrets.end(), {reception_pin, therapist_pin, new_pin, technician_password});
  auto create = [&](const std::string& user, const std::string& role, const std::string& zones, const std::string& secret) {
    const auto r = admin.post("/api/v1/users", R"({"user":{"username":")" + user + R"(","role":")" + role +
                                                   R"(","zones":[)" + zones + R"(]},"secret":")" + secret + "\"}");
    INFO(r.body);
    REQUIRE(r.status == 201);
  };
  create("reception", "ROLE_RECEPTIONIST", R"("*")", reception_pin);
  create("therapist", "ROLE_THERAPIST", R"("treatment-1")", therapist_pin);
  create("technician", "ROLE_TECHNICIAN", R"("*")", technician_password);

  std::vector<std::string> tokens = {admin.cookie().substr(admin.cookie().find('=') + 1)};
  // Good and bad logins, a lockout, a bearer token used for a change, a PIN change, logouts.
  ApiClient reception(daemon.port());
  REQUIRE(reception.login("reception", reception_pin).status == 200);
  tokens.push_back(reception.cookie().substr(reception.cookie().find('=') + 1));
  CHECK(reception.post("/api/v1/zones/lounge/scene", R"({"scene":"evening","reason":"guests"})").status == 200);
  ApiClient wrong(daemon.port());
  for (int i = 0; i < 5; ++i) CHECK(wrong.login("therapist", "1" + therapist_pin.substr(1)).status == 401);
  CHECK(wrong.login("therapist", therapist_pin).status == 429);  // locked, even with the right PIN
  const auto bearer = http_request(daemon.port(), "POST", "/api/v1/login",
                                   R"({"username":"technician","secret":")" + technician_password + R"(","bearer":true})");
  REQUIRE(bearer.status == 200);
  const std::string token(bearer.json().at("token").as_string());
  tokens.push_back(token);
  CHECK(http_request(daemon.port(), "POST", "/api/v1/points/lounge.light.level/write",
                     R"({"value":42,"reason":"relamping"})", {{"Authorization", "Bearer " + token}})
            .status == 200);
  CHECK(admin.send("PUT", "/api/v1/users/reception",
                   R"({"user":{"role":"ROLE_RECEPTIONIST","zones":["*"]},"secret":")" + new_pin + "\"}")
            .status == 200);
  CHECK(reception.get("/api/v1/me").status == 401);  // a changed PIN ends the sessions
  CHECK(reception.login("reception", reception_pin).status == 401);
  CHECK(reception.login("reception", new_pin).status == 200);
  tokens.push_back(reception.cookie().substr(reception.cookie().find('=') + 1));
  CHECK(reception.post("/api/v1/logout", "{}").status == 204);
  CHECK(http_request(daemon.port(), "POST", "/api/v1/logout", "{}", {{"Authorization", "Bearer " + token}}).status == 204);
  CHECK(admin.post("/api/v1/logout", "{}").status == 204);

  const int status = daemon.process().terminate(15s);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));

  // Everything it wrote: its output, the audit log, the users file, the database's events.
  std::vector<std::pair<std::string, std::string>> written = {
      {"daemon stdout/stderr", read_file(daemon.log())},
      {"audit.jsonl", read_file(state / "audit.jsonl")},
      {"users.json", read_file(state / "users.json")},
  };
  {
    TelemetryDb db(state / "atmo-demo.db");
    std::string events;
    for (const auto& row : db.rows("SELECT kind, zone, subject, who, message, details FROM events")) {
      for (const auto& col : row) events += col + "\n";
    }
    written.emplace_back("database events", events);
  }
  REQUIRE(audit_lines(state).size() >= 15);
  REQUIRE(written[0].second.find("api: reception scene.zone lounge") != std::string::npos);  // it did log the session
  for (const auto& [where, text] : written) {
    INFO(where);
    REQUIRE_FALSE(text.empty());
    for (const auto& s : secrets) {
      INFO("secret " << s);
      CHECK(text.find(s) == std::string::npos);
    }
    for (const auto& t : tokens) {
      INFO("token " << t);
      REQUIRE(t.size() == 64);
      CHECK(text.find(t) == std::string::npos);
    }
    CHECK(text.find("atmo_session") == std::string::npos);
    CHECK(text.find("Bearer ") == std::string::npos);
  }
  std::cout << "security: " << secrets.size() << " secrets and " << tokens.size() << " session tokens absent from "
            << written.size() << " outputs (" << written[0].second.size() + written[1].second.size()
            << " bytes of log and audit)\n";
}
