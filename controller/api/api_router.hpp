// The REST side of the API with no socket in sight: a decoded request in, a response out. It
// authenticates (session cookie or bearer token), checks the Origin of state-changing requests,
// applies the role table (permissions.hpp), calls the controller directly (it runs on the
// controller's thread) and writes exactly one audit record per state-changing request, allowed or
// refused. The HTTP sessions of ApiServer and the unit tests both drive it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "config/api.pb.h"
#include "controller/api/alarm_tracker.hpp"
#include "controller/api/api_options.hpp"
#include "controller/api/api_views.hpp"
#include "controller/api/audit_log.hpp"
#include "controller/api/secret_verifier.hpp"
#include "controller/api/session_manager.hpp"
#include "controller/api/user_store.hpp"
#include "controller/controller.hpp"

namespace atmo::api {

inline constexpr std::string_view kSessionCookie = "atmo_session";

struct ApiRequest {
  std::string method;         ///< "GET", "POST", …
  std::string target;         ///< origin-form: path and query
  std::string host;           ///< Host header
  std::string origin;         ///< Origin header, "" when absent
  std::string cookie;         ///< Cookie header
  std::string authorization;  ///< Authorization header
  std::string body;
  std::string remote;         ///< client address, for the audit log
  bool tls = false;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< Set-Cookie, Retry-After, …
};

/// Everything the router works with; owned by ApiServer (or a test).
struct ApiServices {
  controller::Controller& controller;
  const ApiOptions& options;
  UserStore& users;
  SessionManager& sessions;
  AuditLog& audit;
  AlarmTracker& alarms;
  SoundOverrides& sound;
  /// Where logins' PIN/password checks run; null: inline (tests and tools without a server).
  SecretVerifier* verifier = nullptr;
};

class ApiRouter {
 public:
  explicit ApiRouter(ApiServices services) : s_(services) {}

  using Respond = std::function<void(ApiResponse)>;
  /// Answers `request` through `respond`: at once for everything but a login, whose PIN or
  /// password check runs on the SecretVerifier; its answer comes later, on the controller thread
  /// (never after the router is gone).
  void handle(const ApiRequest& request, Respond respond);

  struct WsGrant {
    v1::User user;
    std::string token;
  };
  /// Checks a WebSocket upgrade: a live session (cookie or bearer) and an allowed Origin.
  std::variant<WsGrant, ApiResponse> authorize_websocket(const ApiRequest& request);

  /// Whether the request's Origin is the server's own or a configured one.
  bool origin_matches(const ApiRequest& request) const;
  v1::Session session_view(const v1::User& user, const std::string& token, bool include_token) const;
  v1::StatusView status_view();

 private:
  struct Ctx;
  using Args = std::vector<std::string>;
  using Handler = ApiResponse (ApiRouter::*)(Ctx&, const Args&);
  struct Route {
    const char* method;
    std::vector<std::string_view> pattern;  ///< "*" matches one segment
    Handler handler;
    bool needs_auth = true;
  };

  struct PendingLogin;
  ApiResponse route(Ctx& ctx);
  ApiResponse complete(Ctx& ctx, ApiResponse response);
  ApiResponse dispatch(Ctx& ctx, const std::vector<std::string>& segments);
  bool start_login_check(Ctx& ctx, Respond& respond);
  void stop_verifying(const std::string& name);
  ApiResponse finish_login(Ctx& ctx, const PendingLogin& login, bool match);
  std::optional<ApiResponse> authenticate(Ctx& ctx);
  std::optional<ApiResponse> require(Ctx& ctx, int permission, std::string_view zone);
  ApiResponse error(Ctx& ctx, int status, std::string code, std::string message, std::string field = {});
  ApiResponse ok(const google::protobuf::Message& message, int status = 200);
  void write_audit(Ctx& ctx, const ApiResponse& response);
  std::string session_cookie(const std::string& token, bool tls) const;

  ApiResponse get_setup(Ctx&, const Args&);
  ApiResponse post_setup(Ctx&, const Args&);
  ApiResponse post_login(Ctx&, const Args&);
  ApiResponse post_logout(Ctx&, const Args&);
  ApiResponse get_me(Ctx&, const Args&);
  ApiResponse get_status(Ctx&, const Args&);
  ApiResponse get_venue(Ctx&, const Args&);
  ApiResponse post_venue_scene(Ctx&, const Args&);
  ApiResponse get_zones(Ctx&, const Args&);
  ApiResponse get_zone(Ctx&, const Args&);
  ApiResponse post_zone_scene(Ctx&, const Args&);
  ApiResponse post_zone_sound(Ctx&, const Args&);
  ApiResponse post_zone_test_tone(Ctx&, const Args&);
  ApiResponse post_checklist_confirm(Ctx&, const Args&);
  ApiResponse get_readings(Ctx&, const Args&);
  ApiResponse get_compliance(Ctx&, const Args&);
  ApiResponse get_compliance_daily(Ctx&, const Args&);
  ApiResponse get_checklist(Ctx&, const Args&);
  ApiResponse get_schedule(Ctx&, const Args&);
  ApiResponse get_exceptions(Ctx&, const Args&);
  ApiResponse post_exception(Ctx&, const Args&);
  ApiResponse delete_exception(Ctx&, const Args&);
  ApiResponse get_events(Ctx&, const Args&);
  ApiResponse get_alarms(Ctx&, const Args&);
  ApiResponse post_alarm_ack(Ctx&, const Args&);
  ApiResponse get_devices(Ctx&, const Args&);
  ApiResponse post_point_write(Ctx&, const Args&);
  ApiResponse get_users(Ctx&, const Args&);
  ApiResponse post_user(Ctx&, const Args&);
  ApiResponse put_user(Ctx&, const Args&);
  ApiResponse delete_user(Ctx&, const Args&);
  ApiResponse get_audit(Ctx&, const Args&);
  ApiResponse get_ws(Ctx&, const Args&);
  ApiResponse get_metrics(Ctx&, const Args&);

  static const std::vector<Route>& routes();
  Status check_zones(const v1::User& user) const;

  ApiServices s_;
  std::unique_ptr<telemetry::TelemetryReader> reader_;  ///< own connection for history queries
  RequestCounts requests_;                               ///< for /metrics
  /// Logins being checked, per name: no more at once than the name has attempts before its lock,
  /// so that a burst of guesses cannot all pass the lockout check before the first failures count.
  std::map<std::string, int, std::less<>> verifying_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  ///< late check results test it
};

}  // namespace atmo::api
