#include "sim/control_client.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace atmo::sim {

Result<Endpoint> parse_endpoint(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return make_error("'" + std::string(text) + "' is not HOST:PORT (e.g. 127.0.0.1:15010)");
  }
  Endpoint e;
  e.host = std::string(text.substr(0, colon));
  const auto port = text.substr(colon + 1);
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), e.port);
  if (ec != std::errc{} || ptr != port.data() + port.size() || e.port < 0 || e.port > 65535) {
    return make_error("'" + std::string(port) + "' in '" + std::string(text) + "' is not a TCP port 0..65535");
  }
  return e;
}

Result<std::string> send_control_command(const Endpoint& endpoint, std::string_view command,
                                         std::chrono::milliseconds timeout) {
  const std::string where = endpoint.host + ":" + std::to_string(endpoint.port);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(endpoint.port));
  const std::string ip = endpoint.host == "localhost" ? "127.0.0.1" : endpoint.host;
  if (::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    return make_error("'" + endpoint.host + "' is not an IPv4 address");
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error(std::string("cannot create a socket: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return make_error("cannot reach the simulator's control port " + where + " (" + std::strerror(errno) +
                      "); is `atmo sim` running with --control " + where + "?");
  }
  std::string line(command);
  line += '\n';
  for (std::size_t sent = 0; sent < line.size();) {
    const auto n = ::send(fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return make_error("lost the connection to " + where + " while sending");
    sent += static_cast<std::size_t>(n);
  }
  std::string reply;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (reply.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return make_error("no reply from " + where + " within " + std::to_string(timeout.count()) + " ms");
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[4096];
    const auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return make_error("the simulator at " + where + " closed the connection without a reply");
    reply.append(chunk, static_cast<std::size_t>(n));
  }
  reply.erase(reply.find('\n'));
  if (!reply.empty() && reply.back() == '\r') reply.pop_back();
  return reply;
}

}  // namespace atmo::sim
