// The CLI's line to a running daemon: HTTP(S) requests to /api/v1 with the bearer token of
// `atmo login`, answers parsed into the messages of config/api.proto, and the WebSocket for live
// views. Every way a request can fail becomes a CommandFailure with a message a technician can act
// on and an exit code from exit_codes.hpp (unreachable 4, not logged in / forbidden 6, ...).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <CLI/CLI.hpp>
#include <google/protobuf/message.h>

#include "config/api.pb.h"

namespace atmo::cli {

/// Why a command stops, and with which exit code.
struct CommandFailure {
  int exit_code;
  std::string message;
};

/// A value, or the failure that prevented it (like atmo::Result, with an exit code).
template <class T>
class [[nodiscard]] Outcome {
 public:
  Outcome(T value) : state_(std::in_place_index<0>, std::move(value)) {}                // NOLINT: implicit by design
  Outcome(CommandFailure failure) : state_(std::in_place_index<1>, std::move(failure)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const CommandFailure& failure() const { return std::get<1>(state_); }

 private:
  std::variant<T, CommandFailure> state_;
};

/// Where the daemon is and how to trust it, from each command's options.
struct DaemonOptions {
  std::string daemon;   ///< --daemon URL; empty: $ATMO_DAEMON, then the daemon of the last login
  std::string cacert;   ///< --cacert: PEM certificate(s) to trust for https (a self-signed daemon)
  bool insecure = false;  ///< --insecure: do not verify the daemon's certificate
  double timeout_s = 10.0;  ///< --timeout: for connecting and for each answer
};

/// Adds --daemon, --cacert, --insecure and --timeout to a command.
void add_daemon_options(CLI::App* command, DaemonOptions& options);

/// The address used when nothing names one.
inline constexpr std::string_view kDefaultDaemon = "http://127.0.0.1:8080";

/// A daemon address: http(s)://host[:port], or host:port (http).
struct DaemonUrl {
  bool tls = false;
  std::string host;  ///< without IPv6 brackets
  std::string port;
  std::string text;  ///< normalised "scheme://host:port", used to match a stored login
};
/// Errors (exit 2): not a URL, a scheme other than http/https, a path, user info or query.
Outcome<DaemonUrl> parse_daemon_url(std::string_view text);

/// A daemon's answer before it is judged.
struct HttpAnswer {
  int status = 0;
  std::string body;
};

/// One server message of /api/v1/ws, or nothing yet.
using WsFrame = std::optional<v1::WsMessage>;

class DaemonClient {
 public:
  /// Resolves the daemon (--daemon, $ATMO_DAEMON, the last login's daemon, the default) and the
  /// token ($ATMO_TOKEN, else the stored login when it was made for this daemon). Connects lazily.
  /// Errors: a bad URL (2), an unreadable token file (1).
  static Outcome<DaemonClient> open(const DaemonOptions& options);

  DaemonClient(DaemonClient&&) noexcept;
  DaemonClient& operator=(DaemonClient&&) noexcept;
  ~DaemonClient();

  const DaemonUrl& url() const;
  bool has_token() const;
  /// Sends a request as it is; fails only when the daemon cannot be reached or answers nothing (4).
  Outcome<HttpAnswer> exchange(std::string_view method, std::string_view target, std::string body = {},
                               bool with_token = true);

  /// GET `target` and parse the answer into `Reply`. Errors: exchange()'s, an error answer
  /// (see failure_for), a body that is not a `Reply` (1).
  template <class Reply>
  Outcome<Reply> get(std::string_view target) {
    Reply reply;
    auto done = call("GET", target, nullptr, reply);
    if (!done) return done.failure();
    return reply;
  }
  /// POST `request` as JSON to `target` and parse the answer into `Reply`.
  template <class Reply>
  Outcome<Reply> post(std::string_view target, const google::protobuf::Message& request) {
    Reply reply;
    auto done = call("POST", target, &request, reply);
    if (!done) return done.failure();
    return reply;
  }

  /// Opens the WebSocket (/api/v1/ws) with the token. Errors: as get().
  Outcome<bool> open_events();
  /// The next WebSocket message, waiting at most `wait`; nullopt when none came in time.
  /// Errors: the socket closed (4), a message that is not a WsMessage (1).
  Outcome<WsFrame> next_event(std::chrono::milliseconds wait);

  /// The failure an error answer stands for: 401 not logged in / session ended (6), 403 your role
  /// may not (6), 400/404 bad input (2), 409 conflict such as the fire alarm (1), 429 locked (6),
  /// 501 not available on this daemon (1), 503 unavailable (4; 6 before the first admin exists).
  CommandFailure failure_for(const HttpAnswer& answer) const;

 private:
  struct Impl;
  explicit DaemonClient(std::unique_ptr<Impl> impl);
  Outcome<bool> call(std::string_view method, std::string_view target, const google::protobuf::Message* request,
                     google::protobuf::Message& reply);
  std::unique_ptr<Impl> impl_;
};

/// Parses protobuf JSON leniently (fields a newer daemon adds are ignored). Errors: not `message`.
Outcome<bool> parse_message(std::string_view json, google::protobuf::Message& message);
/// The message as protobuf JSON (the API's own mapping), for --json.
std::string message_json(const google::protobuf::Message& message);

/// `text` percent-encoded as one path segment (a zone id, an alarm id) of an API target.
std::string path_segment(std::string_view text);

/// Prints "atmo COMMAND: message" to stderr and returns the failure's exit code.
int report_failure(std::string_view command, const CommandFailure& failure);

}  // namespace atmo::cli
