// Figure 2 of bench/run: venue scene apply latency, from the API call (POST /api/v1/venue/scene with
// a bearer token) to the last device holding its new value, next to a raw libmodbus loop issuing
// the same writes. Both are observed the same way, on the simulator side: a watcher thread (on the
// other CPU, so it does not slow what it watches) reads the simulated devices' registers until every
// changed output holds its target.
//
// The venue (written by bench/run) runs twice, in this process, on the same simulator code as
// `atmo sim`: simulator A on the venue's ports serves the daemon (started by bench/run), simulator B
// on free ports serves the raw loop, so the two never fight over the same registers and their
// repetitions can alternate.
//
//   scene_apply_bench VENUE.yaml API_PORT REPETITIONS
// prints {"ready": ...} once simulator A serves, then reads the bearer token from stdin and prints
// one JSON line per repetition and client.
#include <modbus/modbus.h>
#include <pthread.h>
#include <sched.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "bench_http.hpp"
#include "config/venue_loader.hpp"
#include "drivers/modbus/read_plan.hpp"
#include "drivers/modbus/register_codec.hpp"
#include "sim/simulator.hpp"
#include "zones/scene_plan.hpp"

using namespace atmo;
using Steady = std::chrono::steady_clock;

namespace {

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "scene_apply_bench: %s\n", message.c_str());
  std::exit(1);
}

double ms_between(Steady::time_point a, Steady::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

struct Target {
  const zones::Point* point;
  double value;
};

/// The outputs a venue scene changes relative to the other scene, with their values.
std::vector<Target> changed_targets(const zones::Venue& venue, const std::string& scene, const std::string& other) {
  auto plans = zones::plan_venue_scene(venue, scene, {"bench", "bench"});
  auto others = zones::plan_venue_scene(venue, other, {"bench", "bench"});
  if (!plans || !others) fail("cannot plan venue scenes '" + scene + "' and '" + other + "'");
  std::map<const zones::Point*, double> before;
  for (const auto& plan : *others) {
    for (const auto& t : plan.points) before[t.point] = t.value;
  }
  std::vector<Target> out;
  for (const auto& plan : *plans) {
    for (const auto& t : plan.points) {
      auto it = before.find(t.point);
      if (it == before.end() || it->second != t.value) out.push_back({t.point, t.value});
    }
  }
  return out;
}

/// Watches a simulator until every target holds its value; runs on its own thread pinned to CPU 0.
class Watcher {
 public:
  Watcher(const sim::Simulator& sim, const std::vector<Target>& targets) : sim_(sim), targets_(targets) {
    thread_ = std::thread([this] { run(); });
  }
  ~Watcher() {
    if (thread_.joinable()) thread_.join();
  }
  /// Blocks until done; false on timeout.
  bool wait(Steady::time_point& first, Steady::time_point& last) {
    thread_.join();
    first = first_;
    last = last_;
    return ok_;
  }

 private:
  void run() {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);  // best effort: watch from the other CPU
    std::vector<bool> done(targets_.size(), false);
    std::size_t remaining = targets_.size();
    const auto deadline = Steady::now() + std::chrono::seconds(10);
    while (remaining > 0 && Steady::now() < deadline) {
      for (std::size_t i = 0; i < targets_.size(); ++i) {
        if (done[i]) continue;
        const auto& t = targets_[i];
        auto v = sim_.get(t.point->id);
        const double tolerance = std::max(1e-9, 0.51 * std::abs(modbus::scale_of(*t.point->map)));
        if (v && std::abs(*v - t.value) <= tolerance) {
          const auto now = Steady::now();
          if (remaining == targets_.size()) first_ = now;
          last_ = now;
          done[i] = true;
          --remaining;
        }
      }
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
    ok_ = remaining == 0;
  }

  const sim::Simulator& sim_;
  const std::vector<Target>& targets_;
  Steady::time_point first_{}, last_{};
  bool ok_ = false;
  std::thread thread_;
};

/// The baseline: one libmodbus connection per bus, the same coalesced writes as a bus worker makes
/// (plan_writes over the encoded targets), issued one after another.
class RawWriter {
 public:
  RawWriter(const zones::Venue& venue, const sim::Simulator& sim) {
    for (const auto& bus : venue.config().buses()) {
      auto port = sim.bus_port(bus.id());
      if (!port) fail("simulator B does not serve bus " + bus.id());
      modbus_t* ctx = modbus_new_tcp("127.0.0.1", *port);
      if (ctx == nullptr || modbus_connect(ctx) == -1) fail("raw: cannot connect to bus " + bus.id());
      contexts_[&bus] = ctx;
    }
  }
  ~RawWriter() {
    for (auto& [bus, ctx] : contexts_) {
      modbus_close(ctx);
      modbus_free(ctx);
    }
  }
  /// Returns the number of write requests.
  std::size_t write(const std::vector<Target>& targets) {
    std::map<const v1::Bus*, std::vector<modbus::PendingWrite>> pending;
    for (const auto& t : targets) {
      auto raw = modbus::encode(*t.point->map, t.value);
      if (!raw) fail(t.point->id + ": " + raw.error().message);
      const auto span = raw->span();
      pending[t.point->device->bus].push_back({t.point, std::vector<std::uint16_t>(span.begin(), span.end())});
    }
    std::size_t requests = 0;
    for (auto& [bus, writes] : pending) {
      modbus_t* ctx = contexts_.at(bus);
      for (const auto& w : modbus::plan_writes(std::move(writes))) {
        modbus_set_slave(ctx, static_cast<int>(w.device->config->unit()));
        const int addr = static_cast<int>(w.start), n = static_cast<int>(w.words.size());
        int rc = -1;
        if (w.table == v1::REGISTER_TABLE_COIL) {
          if (n == 1) {
            rc = modbus_write_bit(ctx, addr, w.words[0] != 0);
          } else {
            std::vector<std::uint8_t> bits(w.words.begin(), w.words.end());
            rc = modbus_write_bits(ctx, addr, n, bits.data());
          }
        } else {
          rc = n == 1 ? modbus_write_register(ctx, addr, w.words[0])
                      : modbus_write_registers(ctx, addr, n, w.words.data());
        }
        if (rc == -1) fail(std::string("raw write failed: ") + modbus_strerror(errno));
        ++requests;
      }
    }
    return requests;
  }

 private:
  std::map<const v1::Bus*, modbus_t*> contexts_;
};

void print(const char* client, int rep, const std::string& scene, std::size_t outputs, double last_ms, double first_ms,
           double reply_ms, std::size_t requests) {
  std::printf(
      "{\"client\": \"%s\", \"rep\": %d, \"scene\": \"%s\", \"outputs\": %zu, \"last_ack_ms\": %.3f, "
      "\"first_ack_ms\": %.3f, \"reply_ms\": %.3f, \"requests\": %zu}\n",
      client, rep, scene.c_str(), outputs, last_ms, first_ms, reply_ms, requests);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) fail("usage: scene_apply_bench VENUE.yaml API_PORT REPETITIONS");
  spdlog::set_level(spdlog::level::warn);
  auto loaded = config::load_venue_file(argv[1]);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 2;
  }
  auto venue = zones::Venue::create(std::move(*loaded.venue));
  const std::string api_port = argv[2];
  const int repetitions = std::atoi(argv[3]);

  SystemClock clock;
  sim::Simulator sim_a(venue, clock, {});
  sim::SimulatorOptions free_ports;
  free_ports.ephemeral_ports = true;
  sim::Simulator sim_b(venue, clock, free_ports);
  if (auto served = sim_a.start(); !served) fail(served.error().message);
  if (auto served = sim_b.start(); !served) fail(served.error().message);
  std::printf("{\"ready\": true, \"devices\": %zu, \"buses\": %d}\n", venue->devices().size(),
              venue->config().buses_size());
  std::fflush(stdout);
  std::string token;
  if (!std::getline(std::cin, token) || token.empty()) fail("no bearer token on stdin");

  const std::map<std::string, std::vector<Target>> targets{{"a", changed_targets(*venue, "a", "b")},
                                                           {"b", changed_targets(*venue, "b", "a")}};
  bench::HttpClient api("127.0.0.1", api_port, token);
  api.connect();
  RawWriter raw(*venue, sim_b);

  auto apply_via_api = [&](const std::string& scene, double& reply_ms, double& first_ms) {
    Watcher watcher(sim_a, targets.at(scene));
    std::string body;
    const auto t0 = Steady::now();
    const unsigned status = api.request(bench::http::verb::post, "/api/v1/venue/scene",
                                        R"({"scene": ")" + scene + R"(", "reason": "bench"})", body);
    reply_ms = ms_between(t0, Steady::now());
    if (status != 200) fail("POST /api/v1/venue/scene answered " + std::to_string(status) + ": " + body);
    Steady::time_point first, last;
    if (!watcher.wait(first, last)) fail("the daemon's writes for scene " + scene + " did not all arrive within 10 s");
    first_ms = ms_between(t0, first);
    return ms_between(t0, last);
  };
  auto apply_raw = [&](const std::string& scene, double& done_ms, double& first_ms, std::size_t& requests) {
    Watcher watcher(sim_b, targets.at(scene));
    const auto t0 = Steady::now();
    requests = raw.write(targets.at(scene));
    done_ms = ms_between(t0, Steady::now());
    Steady::time_point first, last;
    if (!watcher.wait(first, last)) fail("the raw writes for scene " + scene + " did not all arrive");
    first_ms = ms_between(t0, first);
    return ms_between(t0, last);
  };

  // Warm up: every bus connected, both scenes applied once (the first apply of an output goes
  // straight to its value; later ones take the scene engine's fade path, as in a venue).
  const auto connected_by = Steady::now() + std::chrono::seconds(20);
  for (;;) {
    bool all = true;
    for (const auto& bus : sim_a.status().buses) all = all && bus.counters.connections > 0;
    if (all) break;
    if (Steady::now() > connected_by) fail("the daemon did not connect to every bus within 20 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  double ignored = 0, ignored2 = 0;
  std::size_t ignored_requests = 0;
  for (const char* scene : {"a", "b", "a", "b"}) {
    apply_via_api(scene, ignored, ignored2);
    apply_raw(scene, ignored, ignored2, ignored_requests);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  for (int rep = 0; rep < repetitions; ++rep) {
    const std::string scene = rep % 2 == 0 ? "a" : "b";
    const auto& t = targets.at(scene);
    auto daemon = [&] {
      double reply = 0, first = 0;
      const double last = apply_via_api(scene, reply, first);
      print("atmo daemon (API -> scene engine -> bus workers)", rep, scene, t.size(), last, first, reply, 0);
    };
    auto baseline = [&] {
      double done = 0, first = 0;
      std::size_t requests = 0;
      const double last = apply_raw(scene, done, first, requests);
      print("raw libmodbus write loop", rep, scene, t.size(), last, first, done, requests);
    };
    if (rep % 4 < 2) {
      daemon();
      baseline();
    } else {
      baseline();
      daemon();
    }
    // Let the daemon's read-backs after the writes pass before the next scene.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  sim_b.stop();
  sim_a.stop();
  return 0;
}
