#include "tests/reliability/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace atmo::reliability {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

HttpReply failure(std::string why) {
  HttpReply r;
  r.body = std::move(why);
  return r;
}

// Transfer-Encoding: chunked -> the plain body.
std::string unchunk(const std::string& raw) {
  std::string out;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    const auto eol = raw.find("\r\n", pos);
    if (eol == std::string::npos) break;
    const std::size_t size = std::stoul(raw.substr(pos, eol - pos), nullptr, 16);
    if (size == 0) break;
    out += raw.substr(eol + 2, size);
    pos = eol + 2 + size + 2;
  }
  return out;
}

}  // namespace

boost::json::value HttpReply::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  return ec ? boost::json::value() : v;
}

std::string HttpReply::cookie() const {
  auto it = headers.find("set-cookie");
  if (it == headers.end()) return {};
  return it->second.substr(0, it->second.find(';'));
}

HttpReply http_request(int port, const std::string& method, const std::string& target, const std::string& body,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return failure("socket failed");
  timeval tv{20, 0};  // a daemon that stops answering fails the test, it does not hang it
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return failure(std::string("connect failed: ") + std::strerror(errno));
  }
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                        "\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) request += k + ": " + v + "\r\n";
  if (!body.empty() || method != "GET") {
    request += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  for (std::size_t done = 0; done < request.size();) {
    const ssize_t n = ::send(fd, request.data() + done, request.size() - done, MSG_NOSIGNAL);
    if (n <= 0) {
      ::close(fd);
      return failure("send failed");
    }
    done += static_cast<std::size_t>(n);
  }
  std::string raw;
  char chunk[8192];
  for (;;) {
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    raw.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);

  const auto head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return failure("no complete reply: " + raw);
  HttpReply r;
  r.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
  std::size_t line = raw.find("\r\n") + 2;
  while (line < head_end) {
    const auto eol = raw.find("\r\n", line);
    const auto colon = raw.find(':', line);
    if (colon != std::string::npos && colon < eol) {
      std::string value = raw.substr(colon + 1, eol - colon - 1);
      value.erase(0, value.find_first_not_of(' '));
      auto& slot = r.headers[lower(raw.substr(line, colon - line))];
      slot += (slot.empty() ? "" : "\n") + value;
    }
    line = eol + 2;
  }
  r.body = raw.substr(head_end + 4);
  if (auto te = r.headers.find("transfer-encoding"); te != r.headers.end() && lower(te->second) == "chunked") {
    r.body = unchunk(r.body);
  } else if (auto cl = r.headers.find("content-length"); cl != r.headers.end()) {
    r.body.resize(std::min<std::size_t>(r.body.size(), std::stoul(cl->second)));
  }
  return r;
}

HttpReply ApiClient::login(const std::string& user, const std::string& secret) {
  auto r = http_request(port_, "POST", "/api/v1/login",
                        boost::json::serialize(boost::json::object{{"username", user}, {"secret", secret}}));
  if (r.status == 200) cookie_ = r.cookie();
  return r;
}

HttpReply ApiClient::setup(const std::string& user, const std::string& secret) {
  auto r = http_request(port_, "POST", "/api/v1/setup",
                        boost::json::serialize(boost::json::object{{"username", user}, {"secret", secret}}));
  if (r.status == 200) cookie_ = r.cookie();
  return r;
}

HttpReply ApiClient::get(const std::string& target) const {
  return http_request(port_, "GET", target, {}, {{"Cookie", cookie_}});
}

HttpReply ApiClient::send(const std::string& method, const std::string& target, const std::string& body) const {
  return http_request(port_, method, target, body,
                      {{"Cookie", cookie_}, {"Origin", "http://127.0.0.1:" + std::to_string(port_)}});
}

}  // namespace atmo::reliability
