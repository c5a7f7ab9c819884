// The baseline of bench figure 5: the least an HTTP/1.1 server on Boost.Beast can do per request on
// one thread. It answers every GET with a fixed JSON body the size of the daemon's status reply and
// checks that an Authorization header is present, with keep-alive; nothing else. Written for the
// benchmark after Beast's asynchronous server examples.
//
//   bare_beast_server PORT
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// About the size of the daemon's StatusView JSON.
const std::string kBody =
    R"({"venue":"bench-http","dayPart":"day","fireAlarm":false,"zones":12,"zonesOutOfStandard":0,)"
    R"("devices":120,"devicesOffline":0,"activeAlarms":0,"unacknowledgedAlarms":0,"timeMs":"1763898000000"})";

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : stream_(std::move(socket)) {}

  void start() { read(); }

 private:
  void read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return close();
    response_ = {};
    response_.version(request_.version());
    response_.keep_alive(request_.keep_alive());
    response_.set(http::field::content_type, "application/json");
    if (request_.find(http::field::authorization) == request_.end()) {
      response_.result(http::status::unauthorized);
      response_.body() = R"({"error":"unauthorized"})";
    } else {
      response_.result(http::status::ok);
      response_.body() = kBody;
    }
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec2, std::size_t) {
      if (ec2 || !self->response_.keep_alive()) return self->close();
      self->read();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<Session>(std::move(socket))->start();
    if (acceptor.is_open()) accept(acceptor);
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bare_beast_server PORT\n");
    return 2;
  }
  asio::io_context io{1};
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::atoi(argv[1]))});
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) {
    acceptor.close();
    io.stop();
  });
  accept(acceptor);
  io.run();
  return 0;
}
