// A small synchronous HTTP/1.1 client (Boost.Beast) for the benchmarks that drive the daemon's API:
// one keep-alive connection, a bearer token, JSON bodies. Not for production code: it blocks.
#pragma once

#include <chrono>
#include <string>
#include <thread>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

namespace atmo::bench {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

class HttpClient {
 public:
  HttpClient(std::string host, std::string port, std::string token)
      : host_(std::move(host)), port_(std::move(port)), token_(std::move(token)), stream_(io_) {}

  /// Connects, retrying until `patience` passes (the daemon may still be starting).
  void connect(std::chrono::seconds patience = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    tcp::resolver resolver(io_);
    for (;;) {
      beast::error_code ec;
      auto endpoints = resolver.resolve(host_, port_, ec);
      if (!ec) stream_.connect(endpoints, ec);
      if (!ec) {
        stream_.socket().set_option(tcp::no_delay(true));
        return;
      }
      if (std::chrono::steady_clock::now() > deadline) throw beast::system_error(ec);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  /// Returns the status code; the body lands in `body`.
  unsigned request(http::verb verb, const std::string& target, const std::string& json, std::string& body) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, host_ + ":" + port_);
    req.set(http::field::authorization, "Bearer " + token_);
    req.keep_alive(true);
    if (!json.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = json;
      req.prepare_payload();
    }
    http::write(stream_, req);
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res);
    body = std::move(res.body());
    return res.result_int();
  }

 private:
  std::string host_;
  std::string port_;
  std::string token_;
  boost::asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

}  // namespace atmo::bench
