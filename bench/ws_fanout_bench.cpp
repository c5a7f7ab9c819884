// Figure 5 (second part) of bench/run: WebSocket fan-out latency. N clients subscribe to the
// daemon's /api/v1/ws (bearer token, the server's own Origin); then, per repetition, one zone scene
// is changed through the API (POST /api/v1/zones/ZONE/scene) and each client's delay is the time
// from just before that request was sent to the moment its socket delivered the `zone` message with
// the new scene. All clients live on one io_context thread; the time is taken when a frame
// arrives, before anything looks at it.
//
//   ws_fanout_bench API_PORT TOKEN ZONE SCENE_A SCENE_B [clients=50] [repetitions=20]
// prints one JSON line per repetition with every client's delay in ms.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_http.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/beast/websocket.hpp>
#pragma GCC diagnostic pop

using namespace atmo::bench;
namespace websocket = boost::beast::websocket;
using Steady = std::chrono::steady_clock;

namespace {

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "ws_fanout_bench: %s\n", message.c_str());
  std::exit(1);
}

std::int64_t nanos(Steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(boost::asio::io_context& io, std::string port, std::string token)
      : ws_(io), port_(std::move(port)), token_(std::move(token)) {}

  void connect() {
    tcp::resolver resolver(ws_.get_executor());
    boost::asio::connect(ws_.next_layer(), resolver.resolve("127.0.0.1", port_));
    ws_.set_option(websocket::stream_base::decorator([this](websocket::request_type& req) {
      req.set(http::field::authorization, "Bearer " + token_);
      req.set(http::field::origin, "http://127.0.0.1:" + port_);
    }));
    ws_.handshake("127.0.0.1:" + port_, "/api/v1/ws");
  }

  /// From now on, the first `zone` message naming `zone` with `scene` stamps the arrival time.
  void expect(const std::string& zone, const std::string& scene) {
    needle_zone_ = "\"zone\":\"" + zone + "\"";
    needle_scene_ = "\"scene\":\"" + scene + "\"";
    arrived_ns_.store(0);
  }
  /// Nanoseconds on the steady clock when the expected message arrived, 0 before. Any thread.
  std::int64_t arrived_ns() const { return arrived_ns_.load(); }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
      const std::int64_t now = nanos(Steady::now());
      if (ec) return;
      const auto data = boost::beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (self->arrived_ns_.load() == 0 && !self->needle_zone_.empty() &&
          data.find("\"type\":\"zone\"") != std::string::npos && data.find(self->needle_zone_) != std::string::npos &&
          data.find(self->needle_scene_) != std::string::npos) {
        self->arrived_ns_.store(now);
      }
      self->read();
    });
  }

  void close() {
    boost::beast::error_code ignored;
    ws_.next_layer().close(ignored);
  }

 private:
  websocket::stream<tcp::socket> ws_;
  boost::beast::flat_buffer buffer_;
  std::string port_;
  std::string token_;
  std::string needle_zone_;
  std::string needle_scene_;
  std::atomic<std::int64_t> arrived_ns_{0};
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) fail("usage: ws_fanout_bench API_PORT TOKEN ZONE SCENE_A SCENE_B [clients] [repetitions]");
  const std::string port = argv[1], token = argv[2], zone = argv[3];
  const std::string scenes[2] = {argv[4], argv[5]};
  const int clients_n = argc > 6 ? std::atoi(argv[6]) : 50;
  const int repetitions = argc > 7 ? std::atoi(argv[7]) : 20;

  boost::asio::io_context io;
  std::vector<std::shared_ptr<Client>> clients;
  for (int i = 0; i < clients_n; ++i) {
    clients.push_back(std::make_shared<Client>(io, port, token));
    clients.back()->connect();
    clients.back()->read();
  }
  auto guard = boost::asio::make_work_guard(io);
  std::thread reader([&io] { io.run(); });

  HttpClient api("127.0.0.1", port, token);
  api.connect();
  std::string body;
  auto set_scene = [&](const std::string& scene) {
    const unsigned status = api.request(http::verb::post, "/api/v1/zones/" + zone + "/scene",
                                        R"({"scene": ")" + scene + R"(", "reason": "bench"})", body);
    if (status != 200) fail("POST scene answered " + std::to_string(status) + ": " + body);
  };
  set_scene(scenes[1]);  // a known starting point
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  for (int rep = 0; rep < repetitions; ++rep) {
    const std::string& scene = scenes[rep % 2];
    // expect() runs on the reader's thread, so it never races a frame being checked.
    boost::asio::post(io, [&] {
      for (auto& c : clients) c->expect(zone, scene);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto t0 = Steady::now();
    set_scene(scene);
    const auto deadline = t0 + std::chrono::seconds(5);
    std::vector<double> delays;
    while (Steady::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      std::vector<double> seen;
      for (auto& c : clients) {
        if (const std::int64_t at = c->arrived_ns(); at != 0) {
          seen.push_back(static_cast<double>(at - nanos(t0)) * 1e-6);
        }
      }
      if (static_cast<int>(seen.size()) == clients_n) {
        delays = std::move(seen);
        break;
      }
    }
    if (static_cast<int>(delays.size()) != clients_n) fail("not every client saw the zone change within 5 s");
    std::printf("{\"rep\": %d, \"clients\": %d, \"delays_ms\": [", rep, clients_n);
    for (std::size_t i = 0; i < delays.size(); ++i) std::printf("%s%.3f", i ? ", " : "", delays[i]);
    std::printf("]}\n");
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  boost::asio::post(io, [&] {
    for (auto& c : clients) c->close();
  });
  guard.reset();
  io.stop();
  reader.join();
  return 0;
}
