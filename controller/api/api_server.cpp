#include "controller/api/api_server.hpp"

#include <deque>
#include <map>
#include <optional>
#include <set>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <spdlog/spdlog.h>

#include "controller/api/alarm_tracker.hpp"
#include "controller/api/api_router.hpp"
#include "controller/api/api_views.hpp"
#include "controller/api/audit_log.hpp"
#include "controller/api/json_codec.hpp"
#include "controller/api/session_manager.hpp"
#include "controller/api/static_files.hpp"

namespace atmo::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

using Message = std::shared_ptr<const std::string>;

/// Anything the server must be able to close when it stops.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void close() = 0;
};

/// A WebSocket client as the push side sees it.
class WsClient : public Connection {
 public:
  /// `key`: messages with the same non-empty key replace each other while unsent.
  virtual void send(const std::string& key, Message message) = 0;
  virtual const std::string& token() const = 0;
  virtual void expire() = 0;
};

}  // namespace

/// State shared by the server and its connections; connections hold it by shared_ptr so they may
/// outlive the server object for the few handlers still queued after stop().
struct Shared {
  ApiOptions options;
  ApiRouter* router = nullptr;  ///< null once the server stops
  StaticFiles files;
  std::size_t connections = 0;
  std::vector<std::weak_ptr<Connection>> open;
  std::vector<std::weak_ptr<WsClient>> clients;

  void prune() {
    std::erase_if(open, [](const auto& w) { return w.expired(); });
    std::erase_if(clients, [](const auto& w) { return w.expired(); });
  }
};

namespace {

/// Counts one open connection against ApiOptions::max_connections for as long as it lives.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) { ++shared_->connections; }
  ~ConnectionSlot() {
    if (shared_) --shared_->connections;
  }
  ConnectionSlot(ConnectionSlot&& other) noexcept : shared_(std::move(other.shared_)) {}
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ConnectionSlot(const ConnectionSlot&) = delete;
  const std::shared_ptr<Shared>& shared() const { return shared_; }

 private:
  std::shared_ptr<Shared> shared_;
};

bool quiet(const beast::error_code& ec) {
  return ec == asio::error::operation_aborted || ec == websocket::error::closed || ec == beast::errc::not_connected ||
         ec == asio::error::eof || ec == asio::error::connection_reset;
}

template <class Stream>
tcp::socket& socket_of(Stream& s) {
  return beast::get_lowest_layer(s).socket();
}

// ---------------------------------------------------------------------------------------------
// WebSocket session
// ---------------------------------------------------------------------------------------------

template <class Stream>
class WsSession final : public WsClient, public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(Stream&& stream, ConnectionSlot slot, std::string token, std::string username)
      : ws_(std::move(stream)), slot_(std::move(slot)), token_(std::move(token)), username_(std::move(username)) {}

  void run(http::request<http::string_body> req, Message hello) {
    const auto& opt = slot_.shared()->options;
    beast::get_lowest_layer(ws_).expires_never();
    // Pings keep a tablet's connection alive through NAT and find dead peers within ~a minute.
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.idle_timeout = std::chrono::seconds(60);
    timeouts.handshake_timeout = opt.read_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(opt.max_ws_message_bytes);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "atmo"); }));
    ws_.async_accept(req, [self = this->shared_from_this(), hello](beast::error_code ec) {
      if (ec) return;
      self->slot_.shared()->clients.push_back(self);
      self->slot_.shared()->open.push_back(self);
      self->send("", hello);
      self->do_read();
    });
  }

  void send(const std::string& key, Message message) override {
    if (closing_) return;
    if (!key.empty()) {
      // Replace an unsent message of the same key (the one being written, at the front, stays).
      for (std::size_t i = writing_ ? 1 : 0; i < queue_.size(); ++i) {
        if (queue_[i].first == key) {
          queue_[i].second = std::move(message);
          return;
        }
      }
    }
    if (queue_.size() >= slot_.shared()->options.ws_queue_limit) {
      spdlog::warn("api: closing the WebSocket of {}: it cannot keep up ({} messages queued)", username_, queue_.size());
      close_with(websocket::close_code::policy_error, "too slow");
      return;
    }
    queue_.emplace_back(key, std::move(message));
    if (!writing_) do_write();
  }

  const std::string& token() const override { return token_; }

  void expire() override {
    send("", std::make_shared<const std::string>(R"({"type":"session_expired"})"));
    close_after_queue_ = true;
  }

  void close() override {
    closing_ = true;
    beast::error_code ec;
    socket_of(ws_.next_layer()).close(ec);
  }

 private:
  void close_with(websocket::close_code code, const char* why) {
    if (closing_) return;
    closing_ = true;
    ws_.async_close(websocket::close_reason(code, why), [self = this->shared_from_this()](beast::error_code) {});
  }

  void do_read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        if (ec == websocket::error::message_too_big) {
          self->closing_ = true;  // Beast has already started the close handshake with 1009.
        }
        if (!quiet(ec) && ec != websocket::error::message_too_big) spdlog::debug("api: websocket read: {}", ec.message());
        return;
      }
      // Clients have nothing to say yet; what they send is read (bounded) and dropped.
      self->buffer_.consume(self->buffer_.size());
      self->do_read();
    });
  }

  void do_write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(*queue_.front().second), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) {
        self->closing_ = true;
        return;
      }
      self->queue_.pop_front();
      if (self->closing_) return;
      if (!self->queue_.empty()) {
        self->do_write();
      } else if (self->close_after_queue_) {
        self->close_with(websocket::close_code::policy_error, "session expired");
      }
    });
  }

  websocket::stream<Stream> ws_;
  ConnectionSlot slot_;
  std::string token_;
  std::string username_;
  beast::flat_buffer buffer_;
  std::deque<std::pair<std::string, Message>> queue_;
  bool writing_ = false;
  bool closing_ = false;
  bool close_after_queue_ = false;
};

// ---------------------------------------------------------------------------------------------
// HTTP session
// ---------------------------------------------------------------------------------------------

constexpr bool kIsTls(const beast::tcp_stream*) { return false; }
constexpr bool kIsTls(const beast::ssl_stream<beast::tcp_stream>*) { return true; }

template <class Stream>
class HttpSession final : public Connection, public std::enable_shared_from_this<HttpSession<Stream>> {
  static constexpr bool kTls = kIsTls(static_cast<const Stream*>(nullptr));

 public:
  HttpSession(Stream&& stream, ConnectionSlot slot, std::string remote)
      : stream_(std::move(stream)), slot_(std::move(slot)), remote_(std::move(remote)) {}

  void run() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(slot_.shared()->options.read_timeout);
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return;  // port scanners, plain HTTP on the TLS port, expired handshakes
        self->do_read();
      });
    } else {
      do_read();
    }
  }

  void close() override {
    beast::error_code ec;
    socket_of(stream_).close(ec);
  }

 private:
  void do_read() {
    const auto& opt = slot_.shared()->options;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(opt.max_header_bytes));
    parser_->body_limit(opt.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(opt.read_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || quiet(ec)) return close();
    if (ec == http::error::body_limit) return send_error(413, "payload_too_large", "the request body is larger than 64 KiB");
    if (ec == http::error::header_limit) return send_error(431, "headers_too_large", "the request headers are larger than 8 KiB");
    if (ec) return send_error(400, "bad_request", "malformed HTTP request: " + ec.message());
    auto shared = slot_.shared();
    if (!shared->router) return close();
    auto req = parser_->release();
    ApiRequest api;
    api.method = std::string(req.method_string());
    api.target = std::string(req.target());
    api.host = std::string(req[http::field::host]);
    api.origin = std::string(req[http::field::origin]);
    api.cookie = std::string(req[http::field::cookie]);
    api.authorization = std::string(req[http::field::authorization]);
    api.remote = remote_;
    api.tls = kTls;
    const std::string_view path = std::string_view(api.target).substr(0, api.target.find('?'));
    if (websocket::is_upgrade(req)) {
      if (path != "/api/v1/ws") return send_error(404, "not_found", "WebSockets are served at /api/v1/ws only");
      auto grant = shared->router->authorize_websocket(api);
      if (auto* refused = std::get_if<ApiResponse>(&grant)) return send(*refused, req.version(), false);
      auto& ok = std::get<ApiRouter::WsGrant>(grant);
      v1::WsMessage hello;
      hello.set_type("hello");
      *hello.mutable_hello() = shared->router->session_view(ok.user, ok.token, false);
      *hello.mutable_status() = shared->router->status_view();
      auto message = std::make_shared<const std::string>(to_json(hello));
      auto ws = std::make_shared<WsSession<Stream>>(std::move(stream_), std::move(slot_), ok.token, ok.user.username());
      ws->run(std::move(req), std::move(message));
      return;
    }
    api.body = std::move(req.body());
    const bool keep_alive = req.keep_alive();
    if (path.starts_with("/api/") || path == "/metrics") {
      // Usually answered before handle() returns; a login is answered when its check is done.
      shared->router->handle(api, [self = this->shared_from_this(), version = req.version(), keep_alive](ApiResponse r) {
        self->send(r, version, keep_alive);
      });
      return;
    }
    if (api.method != "GET" && api.method != "HEAD") {
      ApiResponse r;
      r.status = 405;
      r.body = R"({"error":"method_not_allowed","message":"static files are read-only","field":""})";
      return send(r, req.version(), keep_alive);
    }
    auto file = shared->files.find(path);
    ApiResponse r;
    if (!file) {
      r.status = 404;
      r.content_type = "text/plain; charset=utf-8";
      r.body = "not found\n";
    } else {
      r.content_type = file->content_type;
      r.body = api.method == "HEAD" ? std::string() : std::move(file->body);
      r.headers.emplace_back("Cache-Control", file->no_cache ? "no-cache" : "max-age=300");
    }
    send(r, req.version(), keep_alive);
  }

  void send_error(int status, const std::string& code, const std::string& message) {
    v1::ApiError e;
    e.set_error(code);
    e.set_message(message);
    ApiResponse r;
    r.status = status;
    r.body = to_json(e);
    send(r, 11, false);
  }

  void send(const ApiResponse& r, unsigned version, bool keep_alive) {
    res_ = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version);
    res_->set(http::field::server, "atmo");
    res_->set(http::field::content_type, r.content_type);
    res_->set("X-Content-Type-Options", "nosniff");
    res_->set("X-Frame-Options", "DENY");
    for (const auto& [name, value] : r.headers) res_->insert(name, value);
    res_->body() = r.body;
    res_->keep_alive(keep_alive);
    res_->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(slot_.shared()->options.read_timeout);
    http::async_write(stream_, *res_, [self = this->shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      if (!keep_alive) return self->linger();
      self->do_read();
    });
  }

  /// Half-closes and reads what the client still sends for a moment, so the answer (413, 431)
  /// reaches a client that is still writing instead of being lost to a connection reset.
  void linger() {
    beast::error_code ec;
    socket_of(stream_).shutdown(tcp::socket::shutdown_send, ec);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
    drain_.resize(16 * 1024);
    drain_left_ = 1024 * 1024;
    do_drain();
  }

  void do_drain() {
    socket_of(stream_).async_read_some(asio::buffer(drain_), [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec || n >= self->drain_left_) return self->close();
      self->drain_left_ -= n;
      self->do_drain();
    });
  }

  Stream stream_;
  ConnectionSlot slot_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> res_;
  std::vector<char> drain_;
  std::size_t drain_left_ = 0;
};

Result<tcp::endpoint> parse_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return make_error("listen address '" + listen + "' must be host:port, e.g. 127.0.0.1:8080");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "*") host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) return make_error("listen address '" + listen + "': the port must be 0..65535");
  beast::error_code ec;
  const auto addr = asio::ip::make_address(host, ec);
  if (ec) return make_error("listen address '" + listen + "': '" + host + "' is not an IP address");
  return tcp::endpoint(addr, static_cast<unsigned short>(port));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

struct ApiServer::Impl {
  Impl(controller::Controller& c, ApiOptions o)
      : controller(c), options(std::move(o)), acceptor(c.io()), push_timer(c.io()), zone_push_timer(c.io()) {}

  controller::Controller& controller;
  ApiOptions options;
  tcp::acceptor acceptor;
  asio::steady_timer push_timer;
  // A scene change reaches the clients at once, not at the next push tick: staff tapping a scene
  // on one tablet see every other tablet follow. Zones to push are collected and sent together
  // once the controller has finished the change that published the event.
  asio::steady_timer zone_push_timer;
  std::set<std::string> zones_to_push;
  std::optional<ssl::context> tls;
  std::shared_ptr<Shared> shared;
  std::unique_ptr<UserStore> users;
  std::unique_ptr<SessionManager> sessions;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<AlarmTracker> alarms;
  std::unique_ptr<SecretVerifier> verifier;
  SoundOverrides sound;
  std::unique_ptr<ApiRouter> router;
  std::optional<controller::EventBus::SubscriptionId> subscription;
  bool running = false;

  // What the clients were last sent, to push only changes.
  std::map<std::string, std::string> zone_sent;
  std::map<std::string, TimeMs, std::less<>> reading_sent;
  std::string status_sent;
  std::map<std::string, std::string> alarms_sent;  ///< id -> serialized view
  std::uint64_t push_ticks = 0;

  void do_accept();
  void arm_push();
  void on_push();
  void push_zone(const std::string& zone);
  void push_zone_soon(const std::string& zone);
  void broadcast(const std::string& key, const Message& message);
  bool has_clients() {
    shared->prune();
    return !shared->clients.empty();
  }
};

void ApiServer::Impl::broadcast(const std::string& key, const Message& message) {
  for (const auto& w : shared->clients) {
    if (auto c = w.lock()) c->send(key, message);
  }
}

void ApiServer::Impl::push_zone(const std::string& zone) {
  v1::WsMessage m;
  m.set_type("zone");
  *m.mutable_zone() = zone_status(controller, zone, false, sound);
  auto text = to_json(m);
  auto& last = zone_sent[zone];
  if (text == last) return;
  last = text;
  broadcast("zone:" + zone, std::make_shared<const std::string>(std::move(text)));
}

void ApiServer::Impl::push_zone_soon(const std::string& zone) {
  if (!controller.venue().zone(zone)) return;
  const bool armed = !zones_to_push.empty();
  zones_to_push.insert(zone);
  if (armed) return;
  zone_push_timer.expires_after(std::chrono::milliseconds(0));
  zone_push_timer.async_wait([this](beast::error_code ec) {
    if (ec || !running) return;
    auto zones = std::move(zones_to_push);
    zones_to_push.clear();
    if (!has_clients()) return;
    for (const auto& z : zones) push_zone(z);
  });
}

void ApiServer::Impl::do_accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !running) return;
    if (ec) {
      // EMFILE and friends: keep accepting later rather than spinning.
      spdlog::warn("api: accept failed: {}", ec.message());
      auto retry = std::make_shared<asio::steady_timer>(controller.io(), std::chrono::milliseconds(100));
      retry->async_wait([this, retry](beast::error_code e) {
        if (!e && running) do_accept();
      });
      return;
    }
    shared->prune();
    if (shared->connections >= options.max_connections) {
      spdlog::warn("api: refusing a connection: {} are open (the limit)", shared->connections);
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      beast::error_code rec;
      const auto peer = socket.remote_endpoint(rec);
      std::string remote = rec ? "?" : peer.address().to_string();
      ConnectionSlot slot(shared);
      if (tls) {
        auto s = std::make_shared<HttpSession<beast::ssl_stream<beast::tcp_stream>>>(
            beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls), std::move(slot), std::move(remote));
        shared->open.push_back(s);
        s->run();
      } else {
        auto s = std::make_shared<HttpSession<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), std::move(slot),
                                                                  std::move(remote));
        shared->open.push_back(s);
        s->run();
      }
    }
    do_accept();
  });
}

void ApiServer::Impl::arm_push() {
  push_timer.expires_after(options.push_interval);
  push_timer.async_wait([this](beast::error_code ec) {
    if (ec || !running) return;
    on_push();
    arm_push();
  });
}

void ApiServer::Impl::on_push() {
  ++push_ticks;
  const bool clients = has_clients();
  // Sessions expire whether or not anyone is connected; connected clients are told.
  sessions->expire();
  for (const auto& w : shared->clients) {
    if (auto c = w.lock(); c && !sessions->validate(c->token(), false)) c->expire();
  }
  auto active = alarms->active();
  alarms->prune(active);
  std::map<std::string, std::string> now_alarms;
  for (const auto& a : active) now_alarms[a.id()] = to_json(a);
  if (clients) {
    for (const auto& [id, text] : now_alarms) {
      if (auto it = alarms_sent.find(id); it != alarms_sent.end() && it->second == text) continue;
      v1::WsMessage m;
      m.set_type("alarm");
      for (const auto& a : active) {
        if (a.id() == id) *m.mutable_alarm() = a;
      }
      broadcast("", std::make_shared<const std::string>(to_json(m)));
    }
    for (const auto& [id, text] : alarms_sent) {
      if (now_alarms.contains(id)) continue;
      v1::WsMessage m;
      m.set_type("alarm");
      if (from_json(text, *m.mutable_alarm())) {
        m.mutable_alarm()->set_cleared(true);
        broadcast("", std::make_shared<const std::string>(to_json(m)));
      }
    }
  }
  alarms_sent = std::move(now_alarms);
  if (!clients) {
    // Nobody listens: forget what was sent so a new client's first pushes are complete.
    zone_sent.clear();
    status_sent.clear();
    return;
  }
  for (const auto& z : controller.venue().zones()) push_zone(z.id());
  v1::WsMessage readings;
  readings.set_type("readings");
  for (const auto& p : controller.venue().points()) {
    auto it = controller.live().find(p.id);
    if (it == controller.live().end()) continue;
    auto& sent = reading_sent[p.id];
    if (it->second.time_ms <= sent) continue;
    sent = it->second.time_ms;
    *readings.mutable_readings()->add_readings() = live_reading(controller, p);
  }
  if (readings.readings().readings_size() > 0) broadcast("", std::make_shared<const std::string>(to_json(readings)));
  // The summary at most once a second.
  if (push_ticks % 2 == 0) {
    v1::WsMessage m;
    m.set_type("status");
    auto status = router->status_view();
    status.set_time_ms(0);
    auto key = to_json(status);
    if (key != status_sent) {
      status_sent = key;
      *m.mutable_status() = router->status_view();
      broadcast("status", std::make_shared<const std::string>(to_json(m)));
    }
  }
}

ApiServer::ApiServer(controller::Controller& controller, ApiOptions options)
    : impl_(std::make_unique<Impl>(controller, std::move(options))) {}

ApiServer::~ApiServer() { stop(); }

Status ApiServer::start() {
  auto& d = *impl_;
  if (d.running) return ok_status();
  const auto& api = d.controller.venue().config().api();
  if (d.options.listen.empty()) d.options.listen = api.listen().empty() ? "127.0.0.1:8080" : api.listen();
  if (d.options.tls_cert.empty() && !api.tls_cert().empty()) d.options.tls_cert = api.tls_cert();
  if (d.options.tls_key.empty() && !api.tls_key().empty()) d.options.tls_key = api.tls_key();
  for (const auto& origin : api.allowed_origins()) d.options.allowed_origins.push_back(origin);
  if (d.options.session_idle.count() <= 0) {
    d.options.session_idle = std::chrono::minutes(api.session_idle_minutes() > 0 ? api.session_idle_minutes() : 30);
  }
  auto endpoint = parse_listen(d.options.listen);
  if (!endpoint) return endpoint.error();
  if (d.options.tls_cert.empty() != d.options.tls_key.empty()) {
    return make_error("TLS needs both a certificate and a key (got only one of --tls-cert / --tls-key)");
  }
  if (!d.options.tls_cert.empty()) {
    d.tls.emplace(ssl::context::tls_server);
    d.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    beast::error_code ec;
    d.tls->use_certificate_chain_file(d.options.tls_cert.string(), ec);
    if (ec) return make_error("cannot load the TLS certificate " + d.options.tls_cert.string() + ": " + ec.message());
    d.tls->use_private_key_file(d.options.tls_key.string(), ssl::context::pem, ec);
    if (ec) return make_error("cannot load the TLS key " + d.options.tls_key.string() + ": " + ec.message());
  }
  std::error_code fec;
  std::filesystem::create_directories(d.options.state_dir, fec);
  auto users = UserStore::open(d.options.state_dir / "users.json", d.controller.clock(), d.options.pbkdf2_iterations);
  if (!users) return users.error();
  d.users = std::move(users).value();
  try {
    d.audit = std::make_unique<AuditLog>(d.options.state_dir / "audit.jsonl");
  } catch (const std::exception& e) {
    return make_error(e.what());
  }
  d.sessions = std::make_unique<SessionManager>(d.controller.clock(), d.options.session_idle);
  d.alarms = std::make_unique<AlarmTracker>(d.controller);
  d.alarms->load();
  // 16 logins may wait for their check (about 50 ms each); more are answered "busy" at once.
  d.verifier = std::make_unique<SecretVerifier>(d.controller.io(), 16);
  d.router = std::make_unique<ApiRouter>(
      ApiServices{d.controller, d.options, *d.users, *d.sessions, *d.audit, *d.alarms, d.sound, d.verifier.get()});
  d.shared = std::make_shared<Shared>();
  d.shared->options = d.options;
  d.shared->router = d.router.get();
  d.shared->files = StaticFiles(d.options.web_dir);

  beast::error_code ec;
  d.acceptor.open(endpoint->protocol(), ec);
  if (!ec) d.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) d.acceptor.bind(*endpoint, ec);
  if (!ec) d.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    d.acceptor.close(ignored);
    return make_error("cannot listen on " + d.options.listen + ": " + ec.message());
  }
  d.running = true;
  d.subscription = d.controller.events().subscribe([&d](const controller::Event& e) {
    if (!d.running || !d.has_clients()) return;
    if (e.kind == "scene.applied") d.push_zone_soon(e.zone);
    v1::WsMessage m;
    m.set_type("event");
    *m.mutable_event() = event_view(e);
    d.broadcast("", std::make_shared<const std::string>(to_json(m)));
  });
  d.do_accept();
  d.arm_push();
  spdlog::info("api: serving {}://{}:{}{}", d.tls ? "https" : "http", endpoint->address().to_string(), port(),
               d.options.web_dir.empty() ? "" : " (UI from " + d.options.web_dir.string() + ")");
  if (d.users->empty()) {
    spdlog::warn("api: no user exists yet: open the tablet UI or POST /api/v1/setup to create the first admin");
  }
  return ok_status();
}

void ApiServer::stop() {
  auto& d = *impl_;
  if (!d.running) return;
  d.running = false;
  beast::error_code ec;
  d.acceptor.close(ec);
  d.push_timer.cancel();
  d.zone_push_timer.cancel();
  d.zones_to_push.clear();
  if (d.subscription) d.controller.events().unsubscribe(*d.subscription);
  d.subscription.reset();
  if (d.shared) {
    d.shared->router = nullptr;
    auto open = d.shared->open;
    for (const auto& w : open) {
      if (auto c = w.lock()) c->close();
    }
  }
}

std::uint16_t ApiServer::port() const {
  beast::error_code ec;
  if (!impl_->acceptor.is_open()) return 0;
  const auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

bool ApiServer::tls() const { return impl_->tls.has_value(); }

std::size_t ApiServer::connections() const { return impl_->shared ? impl_->shared->connections : 0; }

std::size_t ApiServer::websocket_clients() const {
  if (!impl_->shared) return 0;
  impl_->shared->prune();
  return impl_->shared->clients.size();
}

UserStore& ApiServer::users() { return *impl_->users; }

Status ApiServer::seed_demo_users() {
  auto& d = *impl_;
  std::string therapist_zone;
  for (const auto& z : d.controller.venue().zones()) {
    if (z.id().rfind("treatment", 0) == 0) {
      therapist_zone = z.id();
      break;
    }
  }
  if (therapist_zone.empty() && d.controller.venue().zones().size() > 0) therapist_zone = d.controller.venue().zones().Get(0).id();
  if (auto ok = d.users->seed_demo_users(therapist_zone); !ok) return ok;
  spdlog::warn("**********************************************************************");
  spdlog::warn("DEMO USERS ARE ACTIVE with public PINs: admin 1111, manager 2222,");
  spdlog::warn("reception 3333, therapist 4444 ({}), technician 5555.", therapist_zone);
  spdlog::warn("They exist only under `atmo demo`; a real venue (atmo serve) starts with none.");
  spdlog::warn("**********************************************************************");
  return ok_status();
}

}  // namespace atmo::api
