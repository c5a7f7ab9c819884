// Settings of the HTTP/WebSocket API server, with the defaults docs/api.md promises. The venue's
// `api` block fills what the command line leaves empty (see ApiServer::start).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "controller/api/password_hash.hpp"
#include "zones/result.hpp"

namespace atmo::api {

/// What the audio engine answered to a test tone: the level it plays (capped) and on which device.
struct TestToneStarted {
  double level_db = 0.0;
  double frequency_hz = 0.0;
  std::string device;
};

/// API requests answered since start, by method and HTTP status (for /metrics).
using RequestCounts = std::map<std::pair<std::string, int>, std::uint64_t>;

/// A GET /metrics as the router hands it on, and the answer (controller/fleet renders it).
struct MetricsScrape {
  std::string remote;         ///< the client's address
  std::string authorization;  ///< its Authorization header
  const RequestCounts* requests = nullptr;
};
struct MetricsReply {
  int status = 200;
  std::string content_type;
  std::string body;
};

struct ApiOptions {
  /// "host:port"; empty: the venue's api.listen, else 127.0.0.1:8080. Port 0 picks a free port.
  std::string listen;
  std::filesystem::path tls_cert;  ///< PEM; with tls_key, serve HTTPS (else the venue's api.tls_*)
  std::filesystem::path tls_key;
  /// Where users.json and audit.jsonl live.
  std::filesystem::path state_dir = ".";
  /// Serve the UI from this folder instead of the files compiled in (development).
  std::filesystem::path web_dir;
  /// Origins besides the server's own that may change state and open the WebSocket.
  std::vector<std::string> allowed_origins;
  /// 0: the venue's api.session_idle_minutes, else 30.
  std::chrono::minutes session_idle{0};

  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_ws_message_bytes = 64 * 1024;
  std::chrono::seconds read_timeout{30};
  std::size_t ws_queue_limit = 64;
  /// Keeps the daemon's descriptors well below 1024 (libmodbus 3.1.6 uses select()).
  std::size_t max_connections = 256;
  std::chrono::milliseconds push_interval{500};  ///< readings and zone changes: at most 2/s per client
  std::uint32_t pbkdf2_iterations = kDefaultPbkdf2Iterations;

  /// Sets a zone's sound level (dBFS) in the audio engine; the daemon wires it. Unset: the sound
  /// endpoint answers 501.
  std::function<Status(std::string_view zone, double level_db)> set_sound_level;

  /// Answers GET /metrics (Prometheus text; access rules in controller/fleet/metrics_access.hpp).
  /// The daemon wires it; unset: /metrics answers 404.
  std::function<MetricsReply(const MetricsScrape&)> metrics;
  /// Plays a test tone in place of a zone's soundscape; the daemon wires it when it has
  /// an audio engine. Unset: the test-tone endpoint answers 501; an error (no device): 503.
  std::function<Result<TestToneStarted>(std::string_view zone, double level_db, std::chrono::milliseconds duration)>
      play_test_tone;
};

}  // namespace atmo::api
