#include "controller/cli/daemon_client.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/url/parse.hpp>
#include <google/protobuf/util/json_util.h>

#include "controller/api/json_codec.hpp"
#include "controller/cli/credential_store.hpp"
#include "controller/cli/exit_codes.hpp"

namespace atmo::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr const char* kUserAgent = "atmo-cli/0.1.0";
// /venue of a large venue is a few hundred KiB; this only stops a runaway answer.
constexpr std::uint64_t kMaxAnswerBytes = 64ULL * 1024 * 1024;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

bool is_closed_connection(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == ssl::error::stream_truncated;
}

}  // namespace

void add_daemon_options(CLI::App* command, DaemonOptions& options) {
  command->add_option("--daemon", options.daemon,
                      "Daemon URL, e.g. https://spa-box:8443 (default: $ATMO_DAEMON, else the daemon of your last "
                      "'atmo login', else http://127.0.0.1:8080)");
  command->add_option("--cacert", options.cacert, "PEM certificate to trust for an https daemon (e.g. its self-signed one)")
      ->check(CLI::ExistingFile);
  command->add_flag("--insecure", options.insecure, "Do not verify an https daemon's certificate");
  command->add_option("--timeout", options.timeout_s, "Seconds to wait for the daemon")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 600.0));
}

Outcome<DaemonUrl> parse_daemon_url(std::string_view text) {
  const std::string given(text);
  const std::string full = given.find("://") == std::string::npos ? "http://" + given : given;
  const auto bad = [&](const std::string& why) {
    return CommandFailure{kExitUsage, "'" + given + "' is not a daemon address (" + why +
                                          "): write http://HOST:PORT or https://HOST:PORT"};
  };
  auto uri = boost::urls::parse_uri(full);
  if (!uri) return bad(uri.error().message());
  DaemonUrl url;
  const std::string scheme(uri->scheme());
  if (scheme != "http" && scheme != "https") return bad("the scheme must be http or https");
  url.tls = scheme == "https";
  url.host = std::string(uri->host_address());
  if (url.host.empty()) return bad("no host");
  if (uri->has_userinfo() || uri->has_query() || uri->has_fragment()) return bad("no user, query or fragment");
  if (!uri->path().empty() && uri->path() != "/") return bad("no path: the API's own paths are added");
  url.port = uri->has_port() ? std::string(uri->port()) : (url.tls ? "443" : "80");
  const bool ipv6 = uri->host_type() == boost::urls::host_type::ipv6;
  url.text = scheme + "://" + (ipv6 ? "[" + url.host + "]" : url.host) + ":" + url.port;
  return url;
}

Outcome<bool> parse_message(std::string_view json, google::protobuf::Message& message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // a newer daemon may add fields
  const auto status = google::protobuf::util::JsonStringToMessage(std::string(json), &message, options);
  if (!status.ok()) {
    return CommandFailure{kExitFailure, "the daemon's answer is not a " + message.GetDescriptor()->name() + ": " +
                                            std::string(status.message())};
  }
  return true;
}

std::string message_json(const google::protobuf::Message& message) { return api::to_json(message); }

std::string path_segment(std::string_view text) {
  static constexpr const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    // Unreserved characters and ':' (alarm ids) stay as they are.
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

int report_failure(std::string_view command, const CommandFailure& failure) {
  std::cerr << "atmo " << command << ": " << failure.message << "\n";
  return failure.exit_code;
}

// ---------------------------------------------------------------------------------------------

struct DaemonClient::Impl {
  using SecureStream = beast::ssl_stream<beast::tcp_stream>;

  // Declared first, destroyed last: every stream below deregisters from it.
  asio::io_context io;
  ssl::context tls{ssl::context::tls_client};
  DaemonUrl url;
  std::string token;
  bool token_from_env = false;
  std::string username;  ///< of the stored login, for messages
  std::chrono::milliseconds timeout{10'000};

  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<SecureStream> secure;
  beast::flat_buffer buffer;

  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_plain;
  std::unique_ptr<websocket::stream<SecureStream>> ws_secure;
  beast::flat_buffer ws_buffer;
  bool ws_reading = false;
  bool ws_ready = false;
  beast::error_code ws_error;

  std::string host_header() const {
    const bool ipv6 = url.host.find(':') != std::string::npos;
    return (ipv6 ? "[" + url.host + "]" : url.host) + ":" + url.port;
  }

  // Runs the io_context until `done` (other pending work, such as a WebSocket read, may complete
  // meanwhile: its handler only records the result).
  void wait(const bool& done) {
    io.restart();
    while (!done) {
      if (io.run_one() == 0) break;
    }
  }

  CommandFailure unreachable(const std::string& what, const beast::error_code& ec) const {
    std::string message = what + " " + url.text + ": " + ec.message();
    if (ec == asio::error::connection_refused) {
      message += ". Is the daemon running? Start it with 'atmo serve' (or 'atmo demo'); name another with --daemon "
                 "or ATMO_DAEMON";
    } else if (ec == beast::error::timeout) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.1f", static_cast<double>(timeout.count()) / 1000.0);
      message += std::string(" (nothing within ") + seconds + " s; more time with --timeout)";
    } else if (!url.tls && is_closed_connection(ec)) {
      message += ". If the daemon serves HTTPS, write https://" + host_header();
    } else if (ec.category() == asio::error::get_ssl_category()) {
      message += url.tls ? ". Does the daemon serve https, and do you trust its certificate? Pass --cacert FILE "
                           "(its certificate) or --insecure"
                         : "";
    }
    return CommandFailure{kExitUnreachable, std::move(message)};
  }

  /// A TCP connection to the daemon, with the timeout on every step.
  beast::error_code connect_tcp(beast::tcp_stream& stream) {
    tcp::resolver resolver(io);
    beast::error_code ec;
    tcp::resolver::results_type endpoints;
    bool done = false;
    resolver.async_resolve(url.host, url.port, [&](beast::error_code e, tcp::resolver::results_type r) {
      ec = e;
      endpoints = std::move(r);
      done = true;
    });
    wait(done);
    if (ec) return ec;
    done = false;
    stream.expires_after(timeout);
    stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
    wait(done);
    return ec;
  }

  beast::error_code handshake_tls(SecureStream& stream) {
    // SNI, and the certificate must name the host we asked for.
    // SSL_set_tlsext_host_name() spelled out: the macro's C cast trips -Wold-style-cast.
    if (SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 static_cast<void*>(const_cast<char*>(url.host.c_str()))) != 1) {
      return {static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()};
    }
    stream.set_verify_callback(ssl::host_name_verification(url.host));
    beast::error_code ec;
    bool done = false;
    beast::get_lowest_layer(stream).expires_after(timeout);
    stream.async_handshake(ssl::stream_base::client, [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    wait(done);
    return ec;
  }

  std::optional<CommandFailure> connect() {
    close();
    auto stream = std::make_unique<beast::tcp_stream>(io);
    if (auto ec = connect_tcp(*stream)) return unreachable("cannot reach the daemon at", ec);
    if (!url.tls) {
      plain = std::move(stream);
      return std::nullopt;
    }
    secure = std::make_unique<SecureStream>(std::move(*stream), tls);
    if (auto ec = handshake_tls(*secure)) {
      secure.reset();
      return unreachable("no TLS session with", ec);
    }
    return std::nullopt;
  }

  bool connected() const { return plain || secure; }

  void close() {
    beast::error_code ignored;
    if (plain) plain->socket().shutdown(tcp::socket::shutdown_both, ignored);
    plain.reset();
    secure.reset();  // no TLS close_notify: the daemon treats a closed keep-alive connection as done
    buffer.clear();
  }

  template <class Stream>
  beast::error_code round_trip(Stream& stream, http::request<http::string_body>& request,
                               http::response_parser<http::string_body>& parser) {
    beast::error_code ec;
    bool done = false;
    beast::get_lowest_layer(stream).expires_after(timeout);
    http::async_write(stream, request, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    wait(done);
    if (ec) return ec;
    done = false;
    beast::get_lowest_layer(stream).expires_after(timeout);
    http::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    wait(done);
    return ec;
  }

  // ---- WebSocket ----

  template <class WsStream>
  std::variant<bool, CommandFailure, HttpAnswer> ws_handshake(WsStream& ws) {
    ws.set_option(websocket::stream_base::decorator([this](websocket::request_type& request) {
      request.set(http::field::user_agent, kUserAgent);
      if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
    }));
    websocket::response_type response;
    beast::error_code ec;
    bool done = false;
    beast::get_lowest_layer(ws).expires_after(timeout);
    ws.async_handshake(response, host_header(), "/api/v1/ws", [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    wait(done);
    if (ec == websocket::error::upgrade_declined) {
      return HttpAnswer{static_cast<int>(response.result_int()), response.body()};
    }
    if (ec) return unreachable("no live connection to", ec);
    // From here the WebSocket's own timeouts apply (pings keep an idle connection alive).
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    return true;
  }

  template <class WsStream>
  void start_read(WsStream& ws) {
    ws_reading = true;
    ws_ready = false;
    ws.async_read(ws_buffer, [this](beast::error_code e, std::size_t) {
      ws_error = e;
      ws_ready = true;
      ws_reading = false;
    });
  }
};

DaemonClient::DaemonClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DaemonClient::DaemonClient(DaemonClient&&) noexcept = default;
DaemonClient& DaemonClient::operator=(DaemonClient&&) noexcept = default;
DaemonClient::~DaemonClient() = default;

Outcome<DaemonClient> DaemonClient::open(const DaemonOptions& options) {
  auto stored = read_login();
  if (!stored) return CommandFailure{kExitFailure, stored.error().message};
  std::string address = options.daemon;
  if (address.empty()) address = env("ATMO_DAEMON");
  if (address.empty() && stored->has_value()) address = (*stored)->daemon;
  if (address.empty()) address = std::string(kDefaultDaemon);
  auto url = parse_daemon_url(address);
  if (!url) return url.failure();

  auto impl = std::make_unique<Impl>();
  impl->url = *url;
  impl->timeout = std::chrono::milliseconds(static_cast<std::int64_t>(options.timeout_s * 1000));
  impl->token = env("ATMO_TOKEN");
  impl->token_from_env = !impl->token.empty();
  // A stored token goes only to the daemon that issued it.
  if (!impl->token_from_env && stored->has_value() && (*stored)->daemon == url->text) {
    impl->token = (*stored)->token;
    impl->username = (*stored)->username;
  }
  if (url->tls) {
    boost::system::error_code ec;
    if (options.insecure) {
      impl->tls.set_verify_mode(ssl::verify_none);
    } else {
      impl->tls.set_verify_mode(ssl::verify_peer);
      (void)impl->tls.set_default_verify_paths(ec);
      if (!options.cacert.empty() && impl->tls.load_verify_file(options.cacert, ec)) {
        return CommandFailure{kExitUsage, "--cacert " + options.cacert + ": not a PEM certificate (" + ec.message() + ")"};
      }
    }
  }
  return DaemonClient(std::move(impl));
}

const DaemonUrl& DaemonClient::url() const { return impl_->url; }
bool DaemonClient::has_token() const { return !impl_->token.empty(); }

Outcome<HttpAnswer> DaemonClient::exchange(std::string_view method, std::string_view target, std::string body,
                                           bool with_token) {
  Impl& d = *impl_;
  http::request<http::string_body> request{http::string_to_verb(method), std::string(target), 11};
  request.set(http::field::host, d.host_header());
  request.set(http::field::user_agent, kUserAgent);
  request.set(http::field::accept, "application/json");
  if (with_token && !d.token.empty()) request.set(http::field::authorization, "Bearer " + d.token);
  if (method != "GET") {
    request.set(http::field::content_type, "application/json");
    request.body() = std::move(body);
  }
  request.keep_alive(true);
  request.prepare_payload();
  // A kept-alive connection the daemon has since closed fails at once: then try once afresh.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = d.connected();
    if (!reused) {
      if (auto failed = d.connect()) return *failed;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxAnswerBytes);
    const beast::error_code ec = d.secure ? d.round_trip(*d.secure, request, parser) : d.round_trip(*d.plain, request, parser);
    if (ec) {
      d.close();
      if (reused && attempt == 0 && is_closed_connection(ec)) continue;
      return d.unreachable("no answer from", ec);
    }
    auto response = parser.release();
    if (!response.keep_alive()) d.close();
    return HttpAnswer{static_cast<int>(response.result_int()), std::move(response.body())};
  }
  return CommandFailure{kExitUnreachable, "no answer from " + d.url.text};
}

CommandFailure DaemonClient::failure_for(const HttpAnswer& answer) const {
  const Impl& d = *impl_;
  v1::ApiError error;
  std::string message;
  if (parse_message(answer.body, error).ok() && !error.message().empty()) {
    message = error.message();
  } else {
    message = "HTTP " + std::to_string(answer.status) + (answer.body.empty() ? "" : ": " + answer.body.substr(0, 200));
  }
  const bool default_daemon = d.url.text == "http://127.0.0.1:8080";
  const std::string login_hint = "run 'atmo login" + (default_daemon ? std::string() : " --daemon " + d.url.text) + "'";
  switch (answer.status) {
    case 401:
      if (d.token.empty()) return {kExitDenied, "not logged in to " + d.url.text + ": " + login_hint};
      if (d.token_from_env) return {kExitDenied, "the token in ATMO_TOKEN is not valid on " + d.url.text + " (" + message + ")"};
      return {kExitDenied, "your session on " + d.url.text + " has ended (idle too long, logged out, or the daemon "
                           "restarted): " + login_hint + " again"};
    case 403:
      return {kExitDenied, message + (d.username.empty() ? "" : " (you are logged in as " + d.username + ")")};
    case 400:
    case 404: return {kExitUsage, message};
    case 409: return {kExitFailure, message};
    case 429: return {kExitDenied, message};
    case 501: return {kExitFailure, message};
    case 503:
      if (error.error() == "setup_required") {
        return {kExitDenied, "the daemon at " + d.url.text + " has no users yet: open " + d.url.text +
                             "/ in a browser and create the first admin"};
      }
      return {kExitUnreachable, message};
    default: return {kExitFailure, "the daemon answered " + std::to_string(answer.status) + ": " + message};
  }
}

Outcome<bool> DaemonClient::call(std::string_view method, std::string_view target,
                                 const google::protobuf::Message* request, google::protobuf::Message& reply) {
  auto answer = exchange(method, target, request != nullptr ? message_json(*request) : std::string());
  if (!answer) return answer.failure();
  if (answer->status < 200 || answer->status >= 300) return failure_for(*answer);
  if (answer->status == 204) return true;
  return parse_message(answer->body, reply);
}

Outcome<bool> DaemonClient::open_events() {
  Impl& d = *impl_;
  auto stream = std::make_unique<beast::tcp_stream>(d.io);
  if (auto ec = d.connect_tcp(*stream)) return d.unreachable("cannot reach the daemon at", ec);
  std::variant<bool, CommandFailure, HttpAnswer> result;
  if (d.url.tls) {
    Impl::SecureStream secure(std::move(*stream), d.tls);
    if (auto ec = d.handshake_tls(secure)) return d.unreachable("no TLS session with", ec);
    d.ws_secure = std::make_unique<websocket::stream<Impl::SecureStream>>(std::move(secure));
    result = d.ws_handshake(*d.ws_secure);
  } else {
    d.ws_plain = std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(*stream));
    result = d.ws_handshake(*d.ws_plain);
  }
  if (auto* failure = std::get_if<CommandFailure>(&result)) return *failure;
  if (auto* answer = std::get_if<HttpAnswer>(&result)) return failure_for(*answer);
  return true;
}

Outcome<WsFrame> DaemonClient::next_event(std::chrono::milliseconds wait) {
  Impl& d = *impl_;
  if (!d.ws_plain && !d.ws_secure) return CommandFailure{kExitFailure, "no live connection is open"};
  if (!d.ws_reading && !d.ws_ready) {
    if (d.ws_secure) d.start_read(*d.ws_secure);
    else d.start_read(*d.ws_plain);
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  d.io.restart();
  while (!d.ws_ready) {
    if (d.io.run_one_until(deadline) == 0) break;
  }
  if (!d.ws_ready) return WsFrame{};  // the read stays pending for the next call
  d.ws_ready = false;
  if (d.ws_error) {
    const std::string why = d.ws_error == websocket::error::closed ? "the daemon closed it" : d.ws_error.message();
    return CommandFailure{kExitUnreachable, "lost the live connection to " + d.url.text + ": " + why};
  }
  const std::string text = beast::buffers_to_string(d.ws_buffer.data());
  d.ws_buffer.consume(d.ws_buffer.size());
  v1::WsMessage message;
  if (auto parsed = parse_message(text, message); !parsed) return parsed.failure();
  return WsFrame(std::move(message));
}

}  // namespace atmo::cli
