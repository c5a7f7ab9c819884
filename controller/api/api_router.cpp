#include "controller/api/api_router.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include "controller/api/json_codec.hpp"
#include "controller/api/permissions.hpp"
#include "zones/venue_clock.hpp"

namespace atmo::api {

namespace {

constexpr std::size_t kMaxReadingPoints = 50;
constexpr std::int64_t kMaxTotalBuckets = 200'000;
constexpr std::uint32_t kMaxHoldMinutes = 7 * 24 * 60;

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t v = 0;
  const auto* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end) return std::nullopt;
  return v;
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto pos = text.find(sep, start);
    const auto part = text.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
    if (!part.empty()) out.emplace_back(part);
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::string cookie_value(std::string_view header, std::string_view name) {
  for (const auto& part : split(header, ';')) {
    std::string_view p = part;
    while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
    if (p.size() > name.size() && p.substr(0, name.size()) == name && p[name.size()] == '=') {
      return std::string(p.substr(name.size() + 1));
    }
  }
  return {};
}

bool state_changing(std::string_view method) { return method == "POST" || method == "PUT" || method == "DELETE" || method == "PATCH"; }

}  // namespace

struct ApiRouter::PendingLogin {
  std::string name;
  bool bearer = false;
  UserStore::LoginCheck check;
};

struct ApiRouter::Ctx {
  explicit Ctx(const ApiRequest& r) : req(r) {}
  const ApiRequest& req;
  std::optional<PendingLogin> login;  ///< set by post_login when the check runs on the verifier
  std::string login_secret;
  std::map<std::string, std::string> params;
  bool changes_state = false;
  std::optional<v1::User> user;
  std::string token;
  bool via_bearer = false;
  v1::AuditRecord audit;
  std::string refusal;  ///< why the request failed, for the audit record
};

const std::vector<ApiRouter::Route>& ApiRouter::routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", {"setup"}, &ApiRouter::get_setup, false},
      {"POST", {"setup"}, &ApiRouter::post_setup, false},
      {"POST", {"login"}, &ApiRouter::post_login, false},
      {"POST", {"logout"}, &ApiRouter::post_logout},
      {"GET", {"me"}, &ApiRouter::get_me},
      {"GET", {"status"}, &ApiRouter::get_status},
      {"GET", {"venue"}, &ApiRouter::get_venue},
      {"POST", {"venue", "scene"}, &ApiRouter::post_venue_scene},
      {"GET", {"zones"}, &ApiRouter::get_zones},
      {"GET", {"zones", "*"}, &ApiRouter::get_zone},
      {"POST", {"zones", "*", "scene"}, &ApiRouter::post_zone_scene},
      {"POST", {"zones", "*", "sound"}, &ApiRouter::post_zone_sound},
      {"POST", {"zones", "*", "test-tone"}, &ApiRouter::post_zone_test_tone},
      {"POST", {"zones", "*", "checklist", "*", "confirm"}, &ApiRouter::post_checklist_confirm},
      {"GET", {"readings"}, &ApiRouter::get_readings},
      {"GET", {"compliance"}, &ApiRouter::get_compliance},
      {"GET", {"compliance", "daily"}, &ApiRouter::get_compliance_daily},
      {"GET", {"checklist"}, &ApiRouter::get_checklist},
      {"GET", {"schedule"}, &ApiRouter::get_schedule},
      {"GET", {"schedule", "exceptions"}, &ApiRouter::get_exceptions},
      {"POST", {"schedule", "exceptions"}, &ApiRouter::post_exception},
      {"DELETE", {"schedule", "exceptions", "*"}, &ApiRouter::delete_exception},
      {"GET", {"events"}, &ApiRouter::get_events},
      {"GET", {"alarms"}, &ApiRouter::get_alarms},
      {"POST", {"alarms", "*", "ack"}, &ApiRouter::post_alarm_ack},
      {"GET", {"devices"}, &ApiRouter::get_devices},
      {"POST", {"points", "*", "write"}, &ApiRouter::post_point_write},
      {"GET", {"users"}, &ApiRouter::get_users},
      {"POST", {"users"}, &ApiRouter::post_user},
      {"PUT", {"users", "*"}, &ApiRouter::put_user},
      {"DELETE", {"users", "*"}, &ApiRouter::delete_user},
      {"GET", {"audit"}, &ApiRouter::get_audit},
      {"GET", {"ws"}, &ApiRouter::get_ws},
  };
  return kRoutes;
}

ApiResponse ApiRouter::ok(const google::protobuf::Message& message, int status) {
  ApiResponse r;
  r.status = status;
  r.body = to_json(message);
  return r;
}

ApiResponse ApiRouter::error(Ctx& ctx, int status, std::string code, std::string message, std::string field) {
  v1::ApiError e;
  e.set_error(code);
  e.set_message(message);
  e.set_field(field);
  ctx.refusal = code + ": " + message;
  ApiResponse r;
  r.status = status;
  r.body = to_json(e);
  return r;
}

std::string ApiRouter::session_cookie(const std::string& token, bool tls) const {
  std::string c = std::string(kSessionCookie) + "=" + token + "; HttpOnly; SameSite=Strict; Path=/";
  if (token.empty()) c += "; Max-Age=0";
  if (tls) c += "; Secure";
  return c;
}

bool ApiRouter::origin_matches(const ApiRequest& req) const {
  if (req.origin.empty()) return false;
  if (!req.host.empty() && req.origin == std::string(req.tls ? "https://" : "http://") + req.host) return true;
  return std::find(s_.options.allowed_origins.begin(), s_.options.allowed_origins.end(), req.origin) !=
         s_.options.allowed_origins.end();
}

v1::Session ApiRouter::session_view(const v1::User& user, const std::string& token, bool include_token) const {
  v1::Session s;
  *s.mutable_user() = user;
  s.set_idle_minutes(static_cast<std::uint32_t>(s_.sessions.idle_ms() / 60'000));
  s.set_expires_ms(s_.controller.clock().now_ms() + s_.sessions.idle_ms());
  if (include_token) s.set_token(token);
  for (auto& p : permissions_of(user)) s.add_permissions(std::move(p));
  return s;
}

v1::StatusView ApiRouter::status_view() {
  auto& c = s_.controller;
  v1::StatusView v;
  v.set_venue(c.venue().id());
  v.set_day_part(c.runner().day_part());
  v.set_fire_alarm(c.fire_alarm());
  v.set_zones(c.venue().zones().size());
  int out = 0;
  for (const auto& z : c.venue().zones()) {
    for (int s = v1::SENSE_SIGHT; s <= v1::SENSE_TASTE; ++s) {
      if (c.compliance().sense_state(z.id(), static_cast<v1::Sense>(s)) == zones::ComplianceState::out_of_standard) {
        ++out;
        break;
      }
    }
  }
  v.set_zones_out_of_standard(out);
  const auto devices = c.devices().device_count();
  v.set_devices(devices.devices);
  v.set_devices_offline(devices.failing);
  const auto alarms = s_.alarms.active();
  v.set_active_alarms(static_cast<int>(alarms.size()));
  v.set_unacknowledged_alarms(static_cast<int>(std::count_if(alarms.begin(), alarms.end(), [](const auto& a) { return !a.acknowledged(); })));
  v.set_time_ms(c.clock().now_ms());
  v.set_simulated_time(c.clock().simulated());
  v.set_clock_rate(c.clock().rate());
  v.set_venue_time(format_venue_time(v.time_ms(), c.venue().config().time_zone()));
  return v;
}

std::optional<ApiResponse> ApiRouter::authenticate(Ctx& ctx) {
  std::string token;
  const std::string_view auth = ctx.req.authorization;
  if (auth.size() > 7 && auth.substr(0, 7) == "Bearer ") {
    token = std::string(auth.substr(7));
    ctx.via_bearer = true;
  } else {
    token = cookie_value(ctx.req.cookie, kSessionCookie);
  }
  if (token.empty()) return error(ctx, 401, "unauthorized", "log in first");
  auto session = s_.sessions.validate(token);
  if (!session) return error(ctx, 401, "unauthorized", "your session has ended; log in again");
  auto user = s_.users.find(session->username);
  if (!user || user->disabled()) {
    s_.sessions.end(token);
    return error(ctx, 401, "unauthorized", "this account no longer exists or is disabled");
  }
  ctx.user = std::move(user);
  ctx.token = std::move(token);
  ctx.audit.set_who(ctx.user->username());
  ctx.audit.set_role(ctx.user->role());
  return std::nullopt;
}

std::optional<ApiResponse> ApiRouter::require(Ctx& ctx, int permission, std::string_view zone) {
  if (auto ok = allowed(*ctx.user, static_cast<Permission>(permission), zone); !ok) {
    return error(ctx, 403, "forbidden", ok.error().message);
  }
  return std::nullopt;
}

void ApiRouter::write_audit(Ctx& ctx, const ApiResponse& response) {
  auto& a = ctx.audit;
  a.set_time_ms(s_.controller.clock().now_ms());
  if (s_.controller.clock().simulated()) a.set_simulated_time(true);
  a.set_status(response.status);
  a.set_remote(ctx.req.remote);
  a.set_result(response.status < 400 ? "ok" : ctx.refusal);
  if (a.action().empty()) {
    a.set_action(ctx.req.method + " unknown");
    a.set_target(std::string(ctx.req.target.substr(0, ctx.req.target.find('?'))));
  }
  if (auto ok = s_.audit.append(a); !ok) spdlog::error("api: {}", ok.error().message);
  spdlog::info("api: {} {} {} {} -> {}{}", a.who().empty() ? "-" : a.who(), a.action(), a.target(),
               a.after().empty() ? "" : "(" + a.after() + ")", response.status,
               response.status < 400 ? "" : " " + ctx.refusal);
}

void ApiRouter::handle(const ApiRequest& req, Respond respond) {
  Ctx ctx(req);
  ctx.changes_state = state_changing(req.method);
  ApiResponse resp = route(ctx);
  if (ctx.login) {
    if (start_login_check(ctx, respond)) return;
    resp = error(ctx, 503, "busy", "too many logins are being checked right now; try again in a second");
    resp.headers.emplace_back("Retry-After", "1");
  }
  respond(complete(ctx, std::move(resp)));
}

ApiResponse ApiRouter::route(Ctx& ctx) {
  const ApiRequest& req = ctx.req;
  ApiResponse resp;
  auto url = boost::urls::parse_origin_form(req.target);
  if (!url) {
    resp = error(ctx, 400, "bad_request", "malformed request target");
  } else {
    std::vector<std::string> segments;
    for (auto seg : url->segments()) segments.emplace_back(seg);
    for (auto param : url->params()) ctx.params[std::string(param.key)] = std::string(param.value);
    if (segments.size() == 1 && segments[0] == "metrics") {
      resp = get_metrics(ctx, {});  // Prometheus expects /metrics at the root, outside /api/v1
    } else if (segments.size() < 2 || segments[0] != "api" || segments[1] != "v1") {
      resp = error(ctx, 404, "not_found", "no such endpoint: " + std::string(url->path()));
    } else {
      segments.erase(segments.begin(), segments.begin() + 2);
      resp = dispatch(ctx, segments);
    }
  }
  return resp;
}

ApiResponse ApiRouter::complete(Ctx& ctx, ApiResponse resp) {
  resp.headers.emplace_back("Cache-Control", "no-store");
  if (ctx.changes_state) write_audit(ctx, resp);
  // A fixed set of method labels: a client cannot grow /metrics by inventing methods.
  static const std::set<std::string, std::less<>> kMethods{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
  ++requests_[{kMethods.contains(ctx.req.method) ? ctx.req.method : "other", resp.status}];
  return resp;
}

ApiResponse ApiRouter::dispatch(Ctx& ctx, const std::vector<std::string>& segments) {
  const Route* match = nullptr;
  bool path_known = false;
  Args args;
  for (const auto& route : routes()) {
    if (route.pattern.size() != segments.size()) continue;
    Args a;
    bool same = true;
    for (std::size_t i = 0; i < segments.size() && same; ++i) {
      if (route.pattern[i] == "*") {
        a.push_back(segments[i]);
      } else if (route.pattern[i] != segments[i]) {
        same = false;
      }
    }
    if (!same) continue;
    path_known = true;
    if (ctx.req.method == route.method) {
      match = &route;
      args = std::move(a);
      break;
    }
  }
  if (!match) {
    if (path_known) return error(ctx, 405, "method_not_allowed", ctx.req.method + " is not allowed here");
    return error(ctx, 404, "not_found", "no such endpoint");
  }
  // Before the first admin exists, nothing but setup answers: there is no default password.
  if (s_.users.empty() && match->handler != &ApiRouter::get_setup && match->handler != &ApiRouter::post_setup) {
    return error(ctx, 503, "setup_required", "no user exists yet: create the first admin with POST /api/v1/setup");
  }
  if (match->needs_auth) {
    if (auto refused = authenticate(ctx)) return *refused;
  }
  if (ctx.changes_state) {
    // A browser always sends Origin on a cross-site POST; a request without one is accepted only
    // when it cannot ride on a cookie (bearer token, or login/setup which need no session).
    const bool allowed_origin = ctx.req.origin.empty() ? (ctx.via_bearer || !match->needs_auth) : origin_matches(ctx.req);
    if (!allowed_origin) {
      return error(ctx, 403, "forbidden_origin",
                   ctx.req.origin.empty() ? "state-changing requests from a browser need an Origin header"
                                          : "requests from " + ctx.req.origin + " are not allowed");
    }
  }
  return (this->*(match->handler))(ctx, args);
}

// ---------------------------------------------------------------------------------------------
// Setup, login, sessions
// ---------------------------------------------------------------------------------------------

ApiResponse ApiRouter::get_setup(Ctx&, const Args&) {
  v1::SetupState s;
  s.set_needed(s_.users.empty());
  return ok(s);
}

ApiResponse ApiRouter::post_setup(Ctx& ctx, const Args&) {
  ctx.audit.set_action("setup");
  v1::SetupRequest req;
  if (auto parsed = from_json(ctx.req.body, req); !parsed) return error(ctx, 400, "bad_request", parsed.error().message);
  ctx.audit.set_target(req.username());
  ctx.audit.set_who(req.username());
  if (!s_.users.empty()) return error(ctx, 409, "conflict", "setup is done: an admin exists; log in instead");
  v1::User u;
  u.set_username(req.username());
  u.set_display_name(req.display_name());
  u.set_role(v1::ROLE_ADMIN);
  u.add_zones("*");
  auto created = s_.users.create(u, req.secret());
  if (!created) return error(ctx, 400, "bad_request", created.error().message);
  ctx.audit.set_role(v1::ROLE_ADMIN);
  ctx.audit.set_after("admin created");
  const std::string token = s_.sessions.create(created->username());
  auto resp = ok(session_view(*created, token, false));
  resp.headers.emplace_back("Set-Cookie", session_cookie(token, ctx.req.tls));
  return resp;
}

ApiResponse ApiRouter::post_login(Ctx& ctx, const Args&) {
  ctx.audit.set_action("login");
  v1::LoginRequest req;
  if (auto parsed = from_json(ctx.req.body, req); !parsed) return error(ctx, 400, "bad_request", parsed.error().message);
  const std::string& name = req.username();
  ctx.audit.set_target(name.size() <= 64 ? name : name.substr(0, 64));
  if (name.empty() || name.size() > 64) return error(ctx, 400, "bad_request", "give a user name", "username");
  if (const TimeMs locked = s_.sessions.locked_for(name); locked > 0) {
    const auto seconds = (locked + 999) / 1000;
    auto resp = error(ctx, 429, "locked",
                      "too many failed logins for '" + name + "': try again in " + std::to_string(seconds) + " s");
    resp.headers.emplace_back("Retry-After", std::to_string(seconds));
    return resp;
  }
  if (auto it = verifying_.find(name); it != verifying_.end() && it->second >= s_.sessions.attempts_before_lock(name)) {
    auto resp = error(ctx, 429, "busy", "logins for '" + name + "' are being checked; try again in a second");
    resp.headers.emplace_back("Retry-After", "1");
    return resp;
  }
  PendingLogin login{name, req.bearer(), s_.users.login_check(name)};
  if (!s_.verifier) return finish_login(ctx, login, verify_secret(req.secret(), login.check.hash));
  ctx.login = std::move(login);
  ctx.login_secret = req.secret();
  return {};  // handle() hands it to the verifier; finish_login answers
}

bool ApiRouter::start_login_check(Ctx& ctx, Respond& respond) {
  // The request and its audit record outlive this call: the answer is written when the check ends.
  struct Waiting {
    ApiRequest req;
    v1::AuditRecord audit;
    PendingLogin login;
    Respond respond;
  };
  auto waiting = std::make_shared<Waiting>(Waiting{ctx.req, ctx.audit, *ctx.login, std::move(respond)});
  const std::string name = waiting->login.name;
  auto done = [this, alive = std::weak_ptr<int>(alive_), waiting](bool match) {
    if (!alive.lock()) return;  // the server stopped meanwhile
    stop_verifying(waiting->login.name);
    Ctx late(waiting->req);
    late.changes_state = true;
    late.audit = std::move(waiting->audit);
    auto resp = finish_login(late, waiting->login, match);
    waiting->respond(complete(late, std::move(resp)));
  };
  ++verifying_[name];
  if (s_.verifier->submit(std::move(ctx.login_secret), waiting->login.check.hash, std::move(done))) return true;
  stop_verifying(name);
  respond = std::move(waiting->respond);  // not queued: the caller answers "busy" through it
  return false;
}

void ApiRouter::stop_verifying(const std::string& name) {
  if (auto it = verifying_.find(name); it != verifying_.end() && --it->second <= 0) verifying_.erase(it);
}

ApiResponse ApiRouter::finish_login(Ctx& ctx, const PendingLogin& login, bool match) {
  const std::string& name = login.name;
  // A match counts only if the user could log in before and still can: not removed, disabled or
  // given a new secret while the check ran.
  if (!match || !s_.users.still_current(name, login.check)) {
    const TimeMs lock = s_.sessions.note_failure(name);
    std::string msg = "wrong user name or PIN/password";
    if (lock > 0) msg += "; logins for '" + name + "' are locked for " + std::to_string(lock / 1000) + " s";
    return error(ctx, 401, "unauthorized", msg);
  }
  s_.sessions.note_success(name);
  auto user = s_.users.find(name);
  ctx.audit.set_who(user->username());
  ctx.audit.set_role(user->role());
  const std::string token = s_.sessions.create(user->username());
  auto resp = ok(session_view(*user, token, login.bearer));
  resp.headers.emplace_back("Set-Cookie", session_cookie(token, ctx.req.tls));
  return resp;
}

ApiResponse ApiRouter::post_logout(Ctx& ctx, const Args&) {
  ctx.audit.set_action("logout");
  ctx.audit.set_target(ctx.user->username());
  s_.sessions.end(ctx.token);
  ApiResponse resp;
  resp.status = 204;
  resp.headers.emplace_back("Set-Cookie", session_cookie("", ctx.req.tls));
  return resp;
}

ApiResponse ApiRouter::get_me(Ctx& ctx, const Args&) { return ok(session_view(*ctx.user, ctx.token, false)); }

ApiResponse ApiRouter::get_status(Ctx&, const Args&) { return ok(status_view()); }

// ---------------------------------------------------------------------------------------------
// Venue, zones, scenes
// ---------------------------------------------------------------------------------------------

ApiResponse ApiRouter::get_venue(Ctx&, const Args&) { return ok(venue_info(s_.controller)); }

ApiResponse ApiRouter::get_zones(Ctx&, const Args&) {
  v1::ZoneList list;
  for (const auto& z : s_.controller.venue().zones()) *list.add_zones() = zone_status(s_.controller, z.id(), true, s_.sound);
  return ok(list);
}

ApiResponse ApiRouter::get_zone(Ctx& ctx, const Args& args) {
  if (!s_.controller.venue().zone(args[0])) return error(ctx, 404, "not_found", "no zone '" + args[0] + "'");
  return ok(zone_status(s_.controller, args[0], true, s_.sound));
}

namespace {

Result<controller::Hold> hold_from(const v1::SceneRequest& req, TimeMs now) {
  controller::Hold hold;
  hold.set_at = now;
  if (req.hold_minutes() == 0) {
    hold.kind = controller::Hold::Kind::until_next_change;
  } else if (req.hold_minutes() > kMaxHoldMinutes) {
    return make_error("holdMinutes may be at most " + std::to_string(kMaxHoldMinutes) + " (a week)");
  } else {
    hold.kind = controller::Hold::Kind::until_time;
    hold.until = now + static_cast<TimeMs>(req.hold_minutes()) * 60'000;
  }
  return hold;
}

}  // namespace

ApiResponse ApiRouter::post_zone_scene(Ctx& ctx, const Args& args) {
  auto& c = s_.controller;
  const std::string& zone = args[0];
  ctx.audit.set_action("scene.zone");
  ctx.audit.set_target(zone);
  v1::SceneRequest req;
  if (auto parsed = from_json(ctx.req.body, req); !parsed) return error(ctx, 400, "bad_request", parsed.error().message);
  ctx.audit.set_reason(req.reason());
  ctx.audit.set_after(req.scene());
  if (auto refused = require(ctx, static_cast<int>(Permission::scene_zone), zone)) return *refused;
  if (!c.venue().zone(zone)) return error(ctx, 404, "not_found", "no zone '" + zone + "'");
  if (const auto* st = c.scenes().zone_state(zone)) ctx.audit.set_before(st->scene);
  if (!c.venue().zone_scene(zone, req.scene())) {
    std::string known;
    for (const auto& s : c.venue().zone(zone)->scenes()) known += (known.empty() ? "" : ", ") + s.id();
    return error(ctx, 400, "bad_request", "zone '" + zone + "' has no scene '" + req.scene() + "' (it has: " + known + ")", "scene");
  }
  auto hold = hold_from(req, c.clock().now_ms());
  if (!hold) return error(ctx, 400, "bad_request", hold.error().message, "holdMinutes");
  if (c.fire_alarm()) return error(ctx, 409, "conflict", "the fire alarm is active: scenes cannot change until it clears");
  const std::string why = req.reason().empty() ? "manual choice on the tablet" : req.reason();
  if (auto applied = c.apply_zone_scene(zone, req.scene(), ctx.user->username(), *hold, why); !applied) {
    return error(ctx, 409, "conflict", applied.error().message);
  }
  return ok(zone_status(c, zone, true, s_.sound));
}

ApiResponse ApiRouter::post_venue_scene(Ctx& ctx, const Args&) {
  auto& c = s_.controller;
  ctx.audit.set_action("scene.venue");
  v1::SceneRequest req;
  if (auto parsed = from_json(ctx.req.body, req); !parsed) return error(ctx, 400, "bad_request", parsed.error().message);
  ctx.audit.set_target(req.scene());
  ctx.audit.set_after(req.scene());
  ctx.audit.set_reason(req.reason());
  if (auto refused = require(ctx, static_cast<int>(Permission::scene_venue), {})) return *refused;
  std::string before;
  for (const auto& [zone, st] : c.scenes().zone_states()) before += (before.empty() ? "" : ",") + zone + "=" + st.scene;
  ctx.audit.set_before(before);
  if (!c.venue().venue_scene(req.scene())) return error(ctx, 400, "bad_request", "no venue scene '" + req.scene() + "'", "scene");
  auto hold = hold_from(req, c.clock().now_ms());
  if (!hold) return error(ctx, 400, "bad_request", hold.error().message, "holdMinutes");
  if (c.fire_alarm()) return error(ctx, 409, "conflict", "the fire alarm is active: scenes cannot change until it clears");
  const std::string why = req.reason().empty() ? "manual choice on the tablet" : req.reason();
  if (auto applied = c.apply_venue_scene(req.scene(), ctx.user->username(), *hold, why); !applied) {
    return error(ctx, 409, "conflict", applied.error().message);
  }
  v1::ZoneList list;
  for (const auto& z : c.venue().zones()) *list.add_zones() = zone_status(c, z.id(), false, s_.sound);
  return ok(list);
}

ApiResponse ApiRouter::post_zone_sound(Ctx& ctx, const Args& args) {
  auto& c = s_.controller;
  const std::string& zone = args[0];
  ctx.audit.set_action("sound");
  ctx.audit.set_target(zone);
  v1::SoundRequest req;
  if (auto parsed = from_json(ctx.req.body, req); !parsed) return error(ctx, 400, "bad_request", parsed.error().message);
  ctx.audit.set_reason(req.reason());
  ctx.audit.set_after(std::to_string(req.level_db()) + " dB");
  if (auto refused = require(ctx, static_cast<int>(Permission::sound), zone)) return *refused;
  const auto* z = c.venue().zone(zone);
  if (!z) return error(ctx, 404, "not_found", "no zone '" + zone + "'");
  const auto current = zone_status(c, zone, false, s_.sound);
  ctx.audit.set_before(std::to_string(current.sound_level_db()) + " dB");
  if (!std::isfinite(req.level_db())) return error(ctx, 400, "bad_request", "levelDb must be a number", "levelDb");
  const double cap = z->safety().has_audio_cap_db() ? z->safety().audio_cap_db() : zones::kDefaultAudioCapDb;
  if (req.level_db() > cap) {
    return error(ctx, 400, "bad_request", "the zone's audio cap is " + std::to_string(cap) + " dB", "levelDb");
  }
  if (ctx.user->role() == v1::ROLE_THERAPIST) {
    const auto* scene = c.venue().zone_scene(zone, current.scene());
    if (!scene || !scene->sound().has_level_db()) {
      return error(ctx, 403, "forbidden", "the current scene sets no sound level to adjust around");
    }
    const double base = scene->sound().level_db();
    if (std::fabs(req.level_db() - base) > kTherapistSoundBandDb) {
      return error(ctx, 403, "forbidden",
                   "a therapist may set the level within ±6 dB of the scene's " + std::to_string(base) + " dB");
    }
  }
  if (!s_.options.set_sound_level) return error(ctx, 501, "not_implemented", "this daemon has no audio engine to adjust");
  if (auto set = s_.options.set_sound_level(zone, req.level_db()); !set) return error(ctx, 409, "conflict", set.error().message);
  s_.sound[zone] = SoundOverride{req.level_db(), c.clock().now_ms()};
  return ok(zone_status(c, zone, true, s_.sound));
}

ApiResponse ApiRouter::post_zone_test_tone(Ctx& ctx, const Args& args) {
  constexpr double kDefaultSeconds = 5.0;
  constexpr double kMaxSeconds = 60.0;
  auto& c = s_.controller;
  const std::string& zone = args[0];
  ctx.audit.set_action("audio.test-tone");
  ctx.audit.set_target(zone);
  v1::TestToneRequest req;
  if (auto parsed = from_json(ctx.req.body, req); !parsed) return error(ctx, 400, "bad_request", parsed.error().message);
  ctx.audit.set_reason(req.reason());
  if (auto refused = require(ctx, static_cast<int>(Permission::test_tone), zone)) return *refused;
  const auto* z = c.venue().zone(zone);
  if (!z) return error(ctx, 404, "not_found", "no zone '" + zone + "'");
  if (z->audio_output().empty()) return error(ctx, 400, "bad_request", "zone '" + zone + "' has no audio output");
  const double seconds = req.seconds() == 0 ? kDefaultSeconds : req.seconds();
  if (!(seconds >= 1 && seconds <= kMaxSeconds)) return error(ctx, 400, "bad_request", "seconds must be 1..60", "seconds");
  const double cap = zones::audio_cap_db(z->safety());
  // Without a level, as a scene without one: 10 dB under the cap, audible but not loud.
  const double level = req.has_level_db() ? req.level_db() : cap - 10;
  if (!std::isfinite(level)) return error(ctx, 400, "bad_request", "levelDb must be a number", "levelDb");
  if (level > cap) {
    return error(ctx, 400, "bad_request", "the zone's audio cap is " + std::to_string(cap) + " dB", "levelDb");
  }
  ctx.audit.set_before(zone_status(c, zone, false, s_.sound).soundscape());
  ctx.audit.set_after("test tone " + std::to_string(level) + " dB, " + std::to_string(seconds) + " s");
  if (c.fire_alarm()) return error(ctx, 409, "conflict", "the fire alarm is active: audio stays muted until it clears");
  if (!s_.options.play_test_tone) {
    return error(ctx, 501, "not_implemented", "this daemon runs without an audio engine (--no-audio)");
  }
  const auto duration = std::chrono::milliseconds(std::llround(seconds * 1000));
  auto started = s_.options.play_test_tone(zone, level, duration);
  if (!started) return error(ctx, 503, "unavailable", started.error().message);
  v1::TestToneView out;
  out.set_zone(zone);
  out.set_seconds(seconds);
  out.set_level_db(started->level_db);
  out.set_frequency_hz(started->frequency_hz);
  out.set_until_ms(c.clock().now_ms() + duration.count());
  out.set_device(started->device);
  return ok(out);
}

ApiResponse ApiRouter::post_checklist_confirm(Ctx& ctx, const Args& args) {
  auto& c = s_.controller;
  const std::string& zone = args[0];
  const std::string& item = args[1];
  ctx.audit.set_action("checklist.confirm");
  ctx.audit.set_target(zone + "." + item);
  v1::ConfirmRequest req;
  if (auto parsed = from_json(ctx.req.body, req); !parsed) return error(ctx, 400, "bad_request", parsed.error().message);
  ctx.audit.set_reason(req.note());
  if (auto refused = require(ctx, static_cast<int>(Permission::checklist), zone)) return *refused;
  for (const auto& s : c.compliance().checklist()) {
    if (s.zone == zone && s.id == item) ctx.audit.set_before(std::string(zones::to_string(s.state)));
  }
  if (auto done = c.confirm_checklist(zone, item, ctx.user->username()); !done) {
    return error(ctx, 404, "not_found", done.error().message);
  }
  for (const auto& s : c.compliance().checklist()) {
    if (s.zone == zone && s.id == item) {
      ctx.audit.set_after(std::string(zones::to_string(s.state)));
      return ok(checklist_view(c, s));
    }
  }
  return error(ctx, 404, "not_found", "no checklist item '" + item + "' in '" + zone + "'");
}

// ---------------------------------------------------------------------------------------------
// Readings, compliance, schedule, events
// ---------------------------------------------------------------------------------------------

ApiResponse ApiRouter::get_readings(Ctx& ctx, const Args&) {
  auto& c = s_.controller;
  const auto points = split(ctx.params["points"], ',');
  if (points.empty()) return error(ctx, 400, "bad_request", "name at least one point: ?points=zone.device.point,…", "points");
  if (points.size() > kMaxReadingPoints) {
    return error(ctx, 400, "bad_request", "at most " + std::to_string(kMaxReadingPoints) + " points per query", "points");
  }
  for (const auto& p : points) {
    if (!c.venue().point(p)) return error(ctx, 400, "bad_request", "no point '" + p + "'", "points");
  }
  const TimeMs now = c.clock().now_ms();
  TimeMs to = now;
  TimeMs from = now - 24 * 3'600'000LL;
  TimeMs step = 60'000;
  for (auto [key, target] : {std::pair<const char*, TimeMs*>{"from", &from}, {"to", &to}, {"step", &step}}) {
    if (!ctx.params.contains(key)) continue;
    auto v = parse_int(ctx.params[key]);
    if (!v) return error(ctx, 400, "bad_request", std::string(key) + " must be an integer (UTC ms)", key);
    *target = *v;
  }
  if (step < 1000) return error(ctx, 400, "bad_request", "step must be at least 1000 ms", "step");
  if (to <= from) return error(ctx, 400, "bad_request", "'to' must be after 'from'", "to");
  const std::int64_t per_point = (to - from) / step + 1;
  if (per_point > telemetry::kMaxBucketsPerSeries || per_point * static_cast<std::int64_t>(points.size()) > kMaxTotalBuckets) {
    return error(ctx, 400, "bad_request", "too many buckets: use a larger step or a shorter range", "step");
  }
  if (!c.store()) return error(ctx, 503, "unavailable", "the telemetry store is not open");
  if (!reader_) {
    auto opened = c.store()->open_reader();
    if (!opened) return error(ctx, 503, "unavailable", "cannot read the telemetry store: " + opened.error().message);
    reader_ = std::move(opened).value();
  }
  auto series = reader_->query(points, from, to, step);
  if (!series) return error(ctx, 503, "unavailable", "telemetry query failed: " + series.error().message);
  v1::ReadingsResponse out;
  for (const auto& s : *series) {
    auto* sv = out.add_series();
    sv->set_point(s.point);
    sv->set_step_ms(step);
    sv->set_from_rollups(s.from_rollups);
    for (const auto& b : s.buckets) {
      auto* bv = sv->add_buckets();
      bv->set_time_ms(b.time_ms);
      bv->set_min(b.min);
      bv->set_max(b.max);
      bv->set_avg(b.avg);
      bv->set_count(b.count);
    }
  }
  return ok(out);
}

ApiResponse ApiRouter::get_compliance(Ctx&, const Args&) { return ok(compliance_now(s_.controller)); }

ApiResponse ApiRouter::get_compliance_daily(Ctx& ctx, const Args&) {
  auto& c = s_.controller;
  const auto& sched = c.schedule();
  const TimeMs now = c.clock().now_ms();
  const auto today = sched.local_date(now);
  std::string from = sched.local_date(now - 6 * 86'400'000LL).to_string();
  std::string to = today.to_string();
  for (auto [key, target] : {std::pair<const char*, std::string*>{"from", &from}, {"to", &to}}) {
    if (!ctx.params.contains(key)) continue;
    auto d = zones::LocalDate::parse(ctx.params[key]);
    if (!d) return error(ctx, 400, "bad_request", d.error().message, key);
    *target = d->to_string();
  }
  std::optional<std::string> zone;
  if (ctx.params.contains("zone")) {
    zone = ctx.params["zone"];
    if (!c.venue().zone(*zone)) return error(ctx, 400, "bad_request", "no zone '" + *zone + "'", "zone");
  }
  v1::DailyIndexList out;
  if (c.store()) {
    if (!reader_) {
      if (auto opened = c.store()->open_reader()) reader_ = std::move(opened).value();
    }
    if (reader_) {
      auto rows = reader_->daily_index(from, to, zone);
      if (!rows) return error(ctx, 503, "unavailable", "daily index query failed: " + rows.error().message);
      for (const auto& r : *rows) {
        if (r.date == today.to_string()) continue;  // today comes live from the engine below
        auto* v = out.add_rows();
        v->set_date(r.date);
        v->set_zone(r.zone);
        v1::Sense sense{};
        if (v1::Sense_Parse(r.sense, &sense)) v->set_sense(sense);
        v->set_has_percent(std::isfinite(r.percent));
        if (std::isfinite(r.percent)) v->set_percent(r.percent);
        v->set_seconds_applicable(r.seconds_applicable);
        v->set_seconds_in_standard(r.seconds_in_standard);
        v->set_seconds_no_data(r.seconds_no_data);
      }
    }
  }
  if (from <= today.to_string() && today.to_string() <= to) {
    for (const auto& d : c.compliance().today()) {
      if (zone && d.zone != *zone) continue;
      auto* v = out.add_rows();
      v->set_date(d.day);
      v->set_zone(d.zone);
      v->set_sense(d.sense);
      const auto pct = d.percent();
      v->set_has_percent(pct.has_value());
      if (pct) v->set_percent(*pct);
      v->set_seconds_applicable((d.in_standard_ms + d.out_of_standard_ms) / 1000);
      v->set_seconds_in_standard(d.in_standard_ms / 1000);
      v->set_seconds_no_data(d.no_data_ms / 1000);
      v->set_live(true);
    }
  }
  return ok(out);
}

ApiResponse ApiRouter::get_checklist(Ctx&, const Args&) {
  v1::ChecklistList out;
  for (const auto& s : s_.controller.compliance().checklist()) *out.add_items() = checklist_view(s_.controller, s);
  return ok(out);
}

ApiResponse ApiRouter::get_schedule(Ctx& ctx, const Args&) {
  int days = 2;
  if (ctx.params.contains("days")) {
    auto d = parse_int(ctx.params["days"]);
    if (!d || *d < 1 || *d > 14) return error(ctx, 400, "bad_request", "days must be 1..14", "days");
    days = static_cast<int>(*d);
  }
  return ok(schedule_view(s_.controller, days));
}

namespace {

// The venue file's exceptions and those added at run time, by start date.
v1::ExceptionList exception_list(const controller::Controller& c) {
  v1::ExceptionList out;
  *out.mutable_exceptions() = c.venue().config().exceptions();
  for (const auto& e : c.schedule().runtime_exceptions()) *out.add_exceptions() = e;
  std::stable_sort(out.mutable_exceptions()->begin(), out.mutable_exceptions()->end(),
                   [](const auto& a, const auto& b) { return a.date() < b.date(); });
  return out;
}

std::string describe_exception(const v1::DateException& e) {
  return e.date() + (e.until().empty() ? "" : ".." + e.until()) + ": program " + e.program();
}

}  // namespace

ApiResponse ApiRouter::get_exceptions(Ctx&, const Args&) { return ok(exception_list(s_.controller)); }

ApiResponse ApiRouter::post_exception(Ctx& ctx, const Args&) {
  auto& c = s_.controller;
  ctx.audit.set_action("schedule.exception.put");
  v1::DateException req;
  if (auto parsed = from_json(ctx.req.body, req); !parsed) return error(ctx, 400, "bad_request", parsed.error().message);
  ctx.audit.set_target(req.date());
  ctx.audit.set_reason(req.reason());
  if (auto refused = require(ctx, static_cast<int>(Permission::schedule), {})) return *refused;
  if (req.date().empty()) return error(ctx, 400, "bad_request", "date is required (YYYY-MM-DD)", "date");
  if (req.program().empty()) return error(ctx, 400, "bad_request", "program is required", "program");
  req.clear_added_by();
  req.clear_added_at_ms();
  if (auto day = zones::LocalDate::parse(req.date())) ctx.audit.set_before(c.schedule().program_on(*day).reason);
  const std::string after = describe_exception(req);
  if (auto done = c.put_date_exception(std::move(req), ctx.user->username()); !done) {
    return error(ctx, 400, "bad_request", done.error().message);
  }
  ctx.audit.set_after(after);
  return ok(exception_list(c));
}

ApiResponse ApiRouter::delete_exception(Ctx& ctx, const Args& args) {
  auto& c = s_.controller;
  const std::string& date = args[0];
  ctx.audit.set_action("schedule.exception.delete");
  ctx.audit.set_target(date);
  if (auto refused = require(ctx, static_cast<int>(Permission::schedule), {})) return *refused;
  for (const auto& e : c.schedule().runtime_exceptions()) {
    if (e.date() == date) ctx.audit.set_before(describe_exception(e));
  }
  if (auto done = c.remove_date_exception(date, ctx.user->username()); !done) {
    return error(ctx, 404, "not_found", done.error().message);
  }
  ctx.audit.set_after("deleted");
  return ok(exception_list(c));
}

ApiResponse ApiRouter::get_events(Ctx& ctx, const Args&) {
  auto& c = s_.controller;
  std::size_t limit = 100;
  if (ctx.params.contains("limit")) {
    auto l = parse_int(ctx.params["limit"]);
    if (!l || *l < 1 || *l > 1000) return error(ctx, 400, "bad_request", "limit must be 1..1000", "limit");
    limit = static_cast<std::size_t>(*l);
  }
  const auto kinds = split(ctx.params["kind"], ',');
  const std::optional<std::string> zone = ctx.params.contains("zone") ? std::optional(ctx.params["zone"]) : std::nullopt;
  std::vector<controller::Event> events;
  if (!ctx.params.contains("from") && !ctx.params.contains("to")) {
    // The live ring holds what the store may not have committed yet.
    for (const auto& e : c.events().recent(1000)) {
      if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), e.kind) == kinds.end()) continue;
      if (zone && e.zone != *zone) continue;
      events.push_back(e);
    }
    if (events.size() > limit) events.erase(events.begin(), events.end() - static_cast<std::ptrdiff_t>(limit));
  } else {
    telemetry::EventFilter filter;
    for (auto [key, target] : {std::pair<const char*, TimeMs*>{"from", &filter.from_ms}, {"to", &filter.to_ms}}) {
      if (!ctx.params.contains(key)) continue;
      auto v = parse_int(ctx.params[key]);
      if (!v) return error(ctx, 400, "bad_request", std::string(key) + " must be an integer (UTC ms)", key);
      *target = *v;
    }
    filter.kinds = kinds;
    filter.zone = zone;
    filter.limit = limit;
    if (!c.store()) return error(ctx, 503, "unavailable", "the telemetry store is not open");
    auto rows = c.store()->reader().events(filter);
    if (!rows) return error(ctx, 503, "unavailable", "event query failed: " + rows.error().message);
    events = std::move(rows).value();
  }
  v1::EventList out;
  for (const auto& e : events) *out.add_events() = event_view(e);
  return ok(out);
}

// ---------------------------------------------------------------------------------------------
// Alarms, devices
// ---------------------------------------------------------------------------------------------

ApiResponse ApiRouter::get_alarms(Ctx&, const Args&) {
  v1::AlarmList out;
  for (auto& a : s_.alarms.active()) *out.add_alarms() = std::move(a);
  return ok(out);
}

ApiResponse ApiRouter::post_alarm_ack(Ctx& ctx, const Args& args) {
  const std::string& id = args[0];
  ctx.audit.set_action("alarm.ack");
  ctx.audit.set_target(id);
  v1::AckRequest req;
  if (auto parsed = from_json(ctx.req.body, req); !parsed) return error(ctx, 400, "bad_request", parsed.error().message);
  ctx.audit.set_reason(req.note());
  std::optional<v1::AlarmView> alarm;
  for (auto& a : s_.alarms.active()) {
    if (a.id() == id) alarm = std::move(a);
  }
  // The zone decides for zone-scoped roles; an unknown alarm is judged venue-wide.
  if (auto refused = require(ctx, static_cast<int>(Permission::alarm_ack), alarm ? alarm->zone() : "")) return *refused;
  if (!alarm) return error(ctx, 404, "not_found", "no active alarm '" + id + "' (it may have ended)");
  ctx.audit.set_before(alarm->acknowledged() ? "acknowledged by " + alarm->acked_by() : "unacknowledged");
  auto acked = s_.alarms.acknowledge(id, ctx.user->username(), req.note());
  if (!acked) return error(ctx, 404, "not_found", acked.error().message);
  ctx.audit.set_after("acknowledged");
  return ok(*acked);
}

ApiResponse ApiRouter::get_devices(Ctx&, const Args&) { return ok(devices_view(s_.controller)); }

ApiResponse ApiRouter::post_point_write(Ctx& ctx, const Args& args) {
  auto& c = s_.controller;
  const std::string& id = args[0];
  ctx.audit.set_action("point.write");
  ctx.audit.set_target(id);
  v1::PointWriteRequest req;
  if (auto parsed = from_json(ctx.req.body, req); !parsed) return error(ctx, 400, "bad_request", parsed.error().message);
  ctx.audit.set_reason(req.reason());
  ctx.audit.set_after(std::to_string(req.value()));
  const auto* point = c.venue().point(id);
  if (auto refused = require(ctx, static_cast<int>(Permission::point_write), point ? point->zone : "")) return *refused;
  if (!point) return error(ctx, 404, "not_found", "no point '" + id + "'");
  if (auto it = c.live().find(id); it != c.live().end()) ctx.audit.set_before(std::to_string(it->second.value));
  // Through the scene engine, never past it: the safety layer decides first (nothing moves a
  // light or a diffuser during the fire alarm), and the engine knows the write, so the zone's next
  // scene change restores the output.
  if (auto refused = c.scenes().write_manual(*point, req.value(), ctx.user->username())) {
    return refused->by_safety_rule ? error(ctx, 409, "conflict", refused->message, "value")
                                   : error(ctx, 400, "bad_request", refused->message, "value");
  }
  return ok(live_reading(c, *point));
}

// ---------------------------------------------------------------------------------------------
// Users, audit
// ---------------------------------------------------------------------------------------------

Status ApiRouter::check_zones(const v1::User& user) const {
  for (const auto& z : user.zones()) {
    if (z != "*" && !s_.controller.venue().zone(z)) return make_error("no zone '" + z + "'");
  }
  return ok_status();
}

namespace {
std::string describe(const v1::User& u) {
  std::string zones;
  for (const auto& z : u.zones()) zones += (zones.empty() ? "" : ",") + z;
  return std::string(role_name(u.role())) + " [" + zones + "]" + (u.disabled() ? " disabled" : "");
}
}  // namespace

ApiResponse ApiRouter::get_users(Ctx& ctx, const Args&) {
  if (auto refused = require(ctx, static_cast<int>(Permission::users), {})) return *refused;
  v1::UserList out;
  for (auto& u : s_.users.list()) *out.add_users() = std::move(u);
  return ok(out);
}

ApiResponse ApiRouter::post_user(Ctx& ctx, const Args&) {
  ctx.audit.set_action("user.create");
  v1::UserRequest req;
  if (auto parsed = from_json(ctx.req.body, req); !parsed) return error(ctx, 400, "bad_request", parsed.error().message);
  ctx.audit.set_target(req.user().username());
  ctx.audit.set_after(describe(req.user()));
  if (auto refused = require(ctx, static_cast<int>(Permission::users), {})) return *refused;
  if (auto z = check_zones(req.user()); !z) return error(ctx, 400, "bad_request", z.error().message, "user.zones");
  auto created = s_.users.create(req.user(), req.secret());
  if (!created) return error(ctx, s_.users.find(req.user().username()) ? 409 : 400, "bad_request", created.error().message);
  return ok(*created, 201);
}

ApiResponse ApiRouter::put_user(Ctx& ctx, const Args& args) {
  const std::string& name = args[0];
  ctx.audit.set_action("user.update");
  ctx.audit.set_target(name);
  v1::UserRequest req;
  if (auto parsed = from_json(ctx.req.body, req); !parsed) return error(ctx, 400, "bad_request", parsed.error().message);
  ctx.audit.set_after(describe(req.user()) + (req.secret().empty() ? "" : ", secret changed"));
  if (auto refused = require(ctx, static_cast<int>(Permission::users), {})) return *refused;
  const auto before = s_.users.find(name);
  if (!before) return error(ctx, 404, "not_found", "no user '" + name + "'");
  ctx.audit.set_before(describe(*before));
  if (!req.user().username().empty() && req.user().username() != name) {
    return error(ctx, 400, "bad_request", "user names cannot be changed; create a new user", "user.username");
  }
  if (auto z = check_zones(req.user()); !z) return error(ctx, 400, "bad_request", z.error().message, "user.zones");
  auto updated = s_.users.update(name, req.user(), req.secret());
  if (!updated) return error(ctx, 400, "bad_request", updated.error().message);
  if (updated->disabled() || !req.secret().empty() || updated->role() != before->role()) s_.sessions.end_user(name);
  return ok(*updated);
}

ApiResponse ApiRouter::delete_user(Ctx& ctx, const Args& args) {
  const std::string& name = args[0];
  ctx.audit.set_action("user.delete");
  ctx.audit.set_target(name);
  if (auto refused = require(ctx, static_cast<int>(Permission::users), {})) return *refused;
  const auto before = s_.users.find(name);
  if (!before) return error(ctx, 404, "not_found", "no user '" + name + "'");
  ctx.audit.set_before(describe(*before));
  if (auto removed = s_.users.remove(name); !removed) return error(ctx, 409, "conflict", removed.error().message);
  s_.sessions.end_user(name);
  ctx.audit.set_after("deleted");
  ApiResponse resp;
  resp.status = 204;
  return resp;
}

ApiResponse ApiRouter::get_audit(Ctx& ctx, const Args&) {
  if (auto refused = require(ctx, static_cast<int>(Permission::audit), {})) return *refused;
  std::size_t limit = 100;
  if (ctx.params.contains("limit")) {
    auto l = parse_int(ctx.params["limit"]);
    if (!l || *l < 1 || *l > 10'000) return error(ctx, 400, "bad_request", "limit must be 1..10000", "limit");
    limit = static_cast<std::size_t>(*l);
  }
  auto records = s_.audit.tail(limit);
  if (!records) return error(ctx, 503, "unavailable", records.error().message);
  v1::AuditList out;
  for (auto& r : *records) *out.add_records() = std::move(r);
  return ok(out);
}

ApiResponse ApiRouter::get_ws(Ctx& ctx, const Args&) {
  return error(ctx, 400, "bad_request", "this endpoint is a WebSocket: send an Upgrade request");
}

ApiResponse ApiRouter::get_metrics(Ctx& ctx, const Args&) {
  if (ctx.req.method != "GET" && ctx.req.method != "HEAD") {
    return error(ctx, 405, "method_not_allowed", ctx.req.method + " is not allowed here");
  }
  if (!s_.options.metrics) return error(ctx, 404, "not_found", "this daemon serves no metrics");
  auto reply = s_.options.metrics(MetricsScrape{ctx.req.remote, ctx.req.authorization, &requests_});
  ApiResponse r;
  r.status = reply.status;
  r.content_type = std::move(reply.content_type);
  if (ctx.req.method == "GET") r.body = std::move(reply.body);
  if (r.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"atmo metrics\"");
  return r;
}

std::variant<ApiRouter::WsGrant, ApiResponse> ApiRouter::authorize_websocket(const ApiRequest& request) {
  Ctx ctx(request);
  if (s_.users.empty()) return error(ctx, 503, "setup_required", "no user exists yet");
  if (auto refused = authenticate(ctx)) return *refused;
  if (!(request.origin.empty() ? ctx.via_bearer : origin_matches(request))) {
    return error(ctx, 403, "forbidden_origin", "WebSocket connections from " + (request.origin.empty() ? std::string("an unknown origin") : request.origin) + " are not allowed");
  }
  return WsGrant{*ctx.user, ctx.token};
}

}  // namespace atmo::api
