// A whole daemon in the test process: the demo venue served by the real simulator on ephemeral
// ports, a real Controller on a ManualClock and the real ApiServer on an ephemeral port, all on one
// io_context thread as in the daemon; plus a small synchronous Beast HTTP client and a WebSocket
// client for the tests.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "config/venue_loader.hpp"
#include "controller/api/api_server.hpp"
#include "controller/controller.hpp"
#include "sim/simulator.hpp"

namespace atmo::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

/// Monday 2026-11-23 10:00 in Riga (the demo venue's zone): a weekday, open, in the "day" part.
inline constexpr TimeMs kMondayMorning = 1795420800000;

/// Every log line, so tests can prove no secret reaches the log.
class CapturingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    lines_.emplace_back(buf.data(), buf.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

class NullSound final : public controller::SoundSink {
 public:
  void set_sound(std::string_view, const zones::SoundPlan&) override {}
};

struct Reply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  ///< lower-case names; Set-Cookie joined by "\n"
  json::value json() const { return json::parse(body); }
  std::string cookie() const {  ///< "atmo_session=<token>" from Set-Cookie
    auto it = headers.find("set-cookie");
    if (it == headers.end()) return {};
    return it->second.substr(0, it->second.find(';'));
  }
};

struct Request {
  Request(std::string m, std::string t, std::string b = {}, std::string c = {}, std::string bear = {},
          std::optional<std::string> o = std::nullopt)
      : method(std::move(m)), target(std::move(t)), body(std::move(b)), cookie(std::move(c)), bearer(std::move(bear)),
        origin(std::move(o)) {}
  std::string method = "GET";
  std::string target;
  std::string body;
  std::string cookie;
  std::string bearer;
  std::optional<std::string> origin;  ///< nullopt: the server's own origin on state changes
  std::vector<std::pair<std::string, std::string>> headers;
};

inline void set_receive_timeout(tcp::socket& s, int seconds) {
  timeval tv{seconds, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

inline Reply http_request(std::uint16_t port, const Request& r) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  set_receive_timeout(socket, 20);
  http::request<http::string_body> req(http::string_to_verb(r.method), r.target, 11);
  const std::string host = "127.0.0.1:" + std::to_string(port);
  req.set(http::field::host, host);
  const bool changes = r.method != "GET" && r.method != "HEAD";
  if (r.origin) {
    if (!r.origin->empty()) req.set(http::field::origin, *r.origin);
  } else if (changes) {
    req.set(http::field::origin, "http://" + host);
  }
  if (!r.cookie.empty()) req.set(http::field::cookie, r.cookie);
  if (!r.bearer.empty()) req.set(http::field::authorization, "Bearer " + r.bearer);
  for (const auto& [k, v] : r.headers) req.set(k, v);
  req.body() = r.body;
  if (changes || !r.body.empty()) req.set(http::field::content_type, "application/json");
  req.prepare_payload();
  http::write(socket, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  Reply out;
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto& slot = out.headers[name];
    slot += (slot.empty() ? "" : "\n") + std::string(f.value());
  }
  beast::error_code ec;
  socket.shutdown(tcp::socket::shutdown_both, ec);
  return out;
}

/// A WebSocket client with deadlines on every read.
class WsTestClient {
 public:
  /// Returns the HTTP status of the handshake (101 on success).
  int connect(std::uint16_t port, const std::string& cookie, const std::string& origin) {
    auto& sock = beast::get_lowest_layer(ws_);
    sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws_.set_option(websocket::stream_base::decorator([cookie, origin](websocket::request_type& req) {
      if (!cookie.empty()) req.set(http::field::cookie, cookie);
      if (!origin.empty()) req.set(http::field::origin, origin);
    }));
    websocket::response_type res;
    beast::error_code ec;
    sock.expires_after(std::chrono::seconds(10));
    ws_.handshake(res, "127.0.0.1:" + std::to_string(port), "/api/v1/ws", ec);
    return static_cast<int>(res.result_int());
  }

  /// The next text message, or nullopt when none came within `timeout` (or the socket closed).
  std::optional<json::value> read(std::chrono::milliseconds timeout) {
    std::optional<json::value> out;
    bool done = false;
    beast::get_lowest_layer(ws_).expires_after(timeout);
    buffer_.clear();
    ws_.async_read(buffer_, [&](beast::error_code ec, std::size_t) {
      done = true;
      if (ec) {
        error_ = ec;
        return;
      }
      out = json::parse(beast::buffers_to_string(buffer_.data()));
    });
    ioc_.restart();
    ioc_.run();
    (void)done;
    return out;
  }

  /// Reads until `pred` holds for a message or `timeout` passes.
  template <class Pred>
  std::optional<json::value> read_until(Pred pred, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      auto m = read(left);
      if (!m) return std::nullopt;
      if (pred(*m)) return m;
    }
    return std::nullopt;
  }

  beast::error_code error() const { return error_; }
  int close_code() const { return static_cast<int>(ws_.reason().code); }
  void write(const std::string& text) {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
    ws_.write(asio::buffer(text), ec);
  }

 private:
  asio::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_{ioc_};
  beast::flat_buffer buffer_;
  beast::error_code error_;
};

struct RigOptions {
  bool demo_users = true;
  std::filesystem::path web_dir;
  std::size_t max_connections = 256;
  std::filesystem::path tls_cert;
  std::filesystem::path tls_key;
  std::chrono::milliseconds push_interval{500};
};

class ApiRig {
 public:
  explicit ApiRig(RigOptions rig = {}) {
    static int counter = 0;
    dir = std::filesystem::temp_directory_path() /
          ("atmo-api-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    sink = std::make_shared<CapturingSink>();
    auto logger = std::make_shared<spdlog::logger>("test", sink);
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);

    auto loaded = config::load_venue_file(std::filesystem::path(ATMO_SOURCE_DIR) / "config/venues/demo.yaml");
    if (!loaded.ok()) throw std::runtime_error("demo venue: " + loaded.errors.front().to_string());
    v1::Venue cfg = *loaded.venue;
    sim::SimulatorOptions sopt;
    sopt.ephemeral_ports = true;
    simulator = std::make_unique<sim::Simulator>(zones::Venue::create(cfg), clock, sopt);
    if (auto started = simulator->start(); !started) throw std::runtime_error("simulator: " + started.error().message);
    // The controller talks to the simulator's ephemeral ports.
    for (auto& bus : *cfg.mutable_buses()) {
      if (auto bus_port = simulator->bus_port(bus.id())) bus.mutable_tcp()->set_port(static_cast<std::uint32_t>(*bus_port));
    }
    venue = zones::Venue::create(cfg);
    rig_ = rig;
    start_daemon();
    thread = std::thread([this] { io.run(); });
  }


  /// Runs `f` on the controller thread and returns its result.
  template <class F>
  auto on_io(F f) {
    std::promise<decltype(f())> done;
    asio::post(io, [&] { done.set_value(f()); });
    return done.get_future().get();
  }

  /// Stops the API and the controller and starts new ones on the same state directory, as a
  /// daemon restart does (the simulator and the clock go on). Cookies from before are void.
  void restart() {
    on_io([this] {
      server->stop();
      controller->stop();
      server.reset();
      controller.reset();
      start_daemon();
      return 0;
    });
  }

  ~ApiRig() {
    on_io([this] {
      server->stop();
      controller->stop();
      return 0;
    });
    work.reset();
    io.stop();
    thread.join();
    server.reset();
    controller.reset();
    simulator->stop();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("null"));
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  Reply call(Request r) const { return http_request(port, r); }
  Reply get(const std::string& target, const std::string& cookie = {}) const {
    return http_request(port, Request{"GET", target, "", cookie});
  }
  Reply post(const std::string& target, const std::string& body, const std::string& cookie = {}) const {
    return http_request(port, Request{"POST", target, body, cookie});
  }
  /// Logs in and returns the cookie ("atmo_session=…"); throws on failure.
  std::string login(const std::string& user, const std::string& secret) const {
    auto r = post("/api/v1/login", json::serialize(json::object{{"username", user}, {"secret", secret}}));
    if (r.status != 200) throw std::runtime_error("login " + user + " failed: " + std::to_string(r.status) + " " + r.body);
    return r.cookie();
  }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port); }

  std::vector<std::string> audit_lines() const {
    std::vector<std::string> out;
    std::ifstream in(dir / "audit.jsonl");
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(line);
    }
    return out;
  }

  std::filesystem::path dir;
  std::shared_ptr<CapturingSink> sink;
  ManualClock clock{kMondayMorning};
  std::unique_ptr<sim::Simulator> simulator;
  std::shared_ptr<const zones::Venue> venue;
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{asio::make_work_guard(io)};
  NullSound sound;
  std::unique_ptr<controller::Controller> controller;
  std::unique_ptr<api::ApiServer> server;
  std::vector<std::pair<std::string, double>> sound_calls;  ///< controller thread only
  std::vector<std::tuple<std::string, double, std::chrono::milliseconds>> tone_calls;  ///< controller thread only
  std::uint16_t port = 0;
  std::thread thread;

 private:
  RigOptions rig_;

  void start_daemon() {
    controller::ControllerOptions copt;
    copt.state_dir = dir;
    controller = std::make_unique<controller::Controller>(io, venue, clock, sound, copt);
    if (auto started = controller->start(); !started) throw std::runtime_error("controller: " + started.error().message);
    api::ApiOptions aopt;
    aopt.listen = "127.0.0.1:0";
    aopt.state_dir = dir;
    aopt.web_dir = rig_.web_dir;
    aopt.max_connections = rig_.max_connections;
    aopt.tls_cert = rig_.tls_cert;
    aopt.tls_key = rig_.tls_key;
    aopt.push_interval = rig_.push_interval;
    aopt.set_sound_level = [this](std::string_view zone, double level) {
      sound_calls.emplace_back(std::string(zone), level);
      return ok_status();
    };
    aopt.play_test_tone = [this](std::string_view zone, double level, std::chrono::milliseconds duration)
        -> Result<api::TestToneStarted> {
      tone_calls.emplace_back(std::string(zone), level, duration);
      return api::TestToneStarted{level, 1000.0, "rig"};
    };
    server = std::make_unique<api::ApiServer>(*controller, aopt);
    if (auto started = server->start(); !started) throw std::runtime_error("api: " + started.error().message);
    if (rig_.demo_users) {
      if (auto seeded = server->seed_demo_users(); !seeded) throw std::runtime_error(seeded.error().message);
    }
    port = server->port();
  }
};

}  // namespace atmo::test
