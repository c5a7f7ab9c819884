// A broker that wants TLS and a password, as a chain's broker on the internet does: a venue with the
// CA and its password publishes; a venue with a wrong password is refused and says so in its log.
#include <catch2/catch.hpp>

#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "config/atmo.pb.h"
#include "controller/fleet/mqtt_payloads.hpp"
#include "fleet_rig.hpp"

using namespace atmo::fleet;
using namespace atmo::fleet::test;
namespace v1 = atmo::v1;

namespace {

int run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

std::string venue_extra(int port, const fs::path& ca, const std::string& user, const fs::path& password_file) {
  return "mqtt:\n"
         "  host: 127.0.0.1\n"
         "  port: " + std::to_string(port) + "\n"
         "  tls: {ca_file: " + ca.string() + "}\n"
         "  username: " + user + "\n"
         "  password_file: " + password_file.string() + "\n"
         "  reconnect_max_s: 2\n";
}

}  // namespace

TEST_CASE("a venue publishes over TLS with its password, and a wrong password is refused", "[fleet][mqtt][process]") {
  TempDir dir("fleet-tls");
  const auto key = dir.path() / "broker.key";
  const auto cert = dir.path() / "broker.pem";  // self-signed: it is its own CA
  REQUIRE(run("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
              " -keyout " + key.string() + " -out " + cert.string()) == 0);
  const auto passwd = dir.path() / "passwd";
  REQUIRE(run("mosquitto_passwd -c -b " + passwd.string() + " tls-spa right-password-1") == 0);
  REQUIRE(run("mosquitto_passwd -b " + passwd.string() + " wrong-spa right-password-2") == 0);
  REQUIRE(run("mosquitto_passwd -b " + passwd.string() + " observer observer-password") == 0);

  Broker broker(dir.path() / "broker", free_port(),
                "certfile " + cert.string() + "\nkeyfile " + key.string() + "\npassword_file " + passwd.string() + "\n");
  broker.start();
  Subscriber sub(broker.port(), "fleet-tls-observer", "atmo/#", SubscriberAuth{cert.string(), "observer", "observer-password"});
  REQUIRE(sub.wait_for([&](const auto&) { return sub.connected(); }, 10s));

  const auto right = dir.path() / "tls-spa.password";
  std::ofstream(right) << "right-password-1\n";
  const auto wrong = dir.path() / "wrong-spa.password";
  std::ofstream(wrong) << "not-the-password\n";
  VenueDaemon good(dir.path(), write_demo_venue(dir.path(), "tls-spa", venue_extra(broker.port(), cert, "tls-spa", right)));
  VenueDaemon refused(dir.path(), write_demo_venue(dir.path(), "wrong-spa", venue_extra(broker.port(), cert, "wrong-spa", wrong)));
  REQUIRE(good.api_port() > 0);
  REQUIRE(refused.api_port() > 0);

  CHECK(sub.wait_for([](const std::vector<Received>& all) {
    bool online = false, reading = false;
    for (const auto& r : all) {
      if (r.topic == "atmo/tls-spa/status") {
        v1::FleetStatus s;
        online = online || (decode_payload(r.payload, v1::PAYLOAD_FORMAT_PROTOBUF, s).ok() && s.online());
      }
      reading = reading || r.topic.rfind("atmo/tls-spa/readings/", 0) == 0;
    }
    return online && reading;
  }, 45s));

  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (refused.daemon().log().find("the broker refused the connection") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
  }
  const std::string log = refused.daemon().log();
  CHECK_THAT(log, Catch::Contains("the broker refused the connection: Connection Refused: not authorised"));
  CHECK(log.find("not-the-password") == std::string::npos);  // the password never reaches the log
  for (const auto& r : sub.messages()) CHECK(r.topic.rfind("atmo/wrong-spa/", 0) != 0);

  for (auto* v : {&good, &refused}) {
    v->daemon().signal(SIGTERM);
    v->sim().signal(SIGTERM);
  }
  CHECK(good.daemon().wait(20s) == std::optional<int>(0));
  CHECK(refused.daemon().wait(20s) == std::optional<int>(0));
  broker.stop();
}
