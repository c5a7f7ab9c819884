#include "sim/control_server.hpp"

#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "sim/control_protocol.hpp"

namespace atmo::sim {
namespace {

constexpr std::size_t kMaxLine = 4096;  // a command is a few words; anything longer is not ours

void send_all(int fd, const std::string& text) {
  std::size_t sent = 0;
  while (sent < text.size()) {
    const auto n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the client went away; the read side notices next
    sent += static_cast<std::size_t>(n);
  }
}

}  // namespace

ControlServer::~ControlServer() { stop(); }

Result<int> ControlServer::start(const std::string& host, int port) {
  if (thread_.joinable()) return port_.load();
  const std::string where = host + ":" + std::to_string(port);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const std::string ip = host == "localhost" ? "127.0.0.1" : host;
  if (port < 0 || port > 65535 || ::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    return make_error("control address " + where + " is not IPv4-address:port");
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 8) != 0 || ::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    const std::string why = std::strerror(errno);
    stop();
    return make_error("cannot listen for control commands on " + where + ": " + why);
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  stop_ = false;
  thread_ = std::thread([this] { run(); });
  return port_.load();
}

void ControlServer::stop() {
  stop_ = true;
  if (wake_pipe_[1] >= 0) {
    const char c = 1;
    [[maybe_unused]] auto n = ::write(wake_pipe_[1], &c, 1);
  }
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
  for (int& fd : wake_pipe_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

void ControlServer::run() {
  std::map<int, std::string> clients;  // fd -> bytes received but not yet a full line
  while (!stop_) {
    std::vector<pollfd> fds{{wake_pipe_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    for (const auto& [fd, buffer] : clients) fds.push_back({fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 1000) < 0) {
      if (errno == EINTR) continue;
      spdlog::error("sim control: poll failed: {}", std::strerror(errno));
      break;
    }
    if (stop_) break;
    if (fds[1].revents & POLLIN) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) clients[fd];
    }
    for (std::size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      const int fd = fds[i].fd;
      char chunk[1024];
      const auto n = ::recv(fd, chunk, sizeof chunk, 0);
      bool close_it = n <= 0;
      std::string& buffer = clients[fd];
      if (n > 0) buffer.append(chunk, static_cast<std::size_t>(n));
      for (auto eol = buffer.find('\n'); !close_it && eol != std::string::npos; eol = buffer.find('\n')) {
        std::string line = buffer.substr(0, eol);
        buffer.erase(0, eol + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line == "quit") {
          send_all(fd, "ok bye\n");
          close_it = true;
          break;
        }
        send_all(fd, execute_control_command(sim_, line) + "\n");
      }
      if (!close_it && buffer.size() > kMaxLine) {
        send_all(fd, "error line longer than " + std::to_string(kMaxLine) + " characters\n");
        close_it = true;
      }
      if (close_it) {
        ::close(fd);
        clients.erase(fd);
      }
    }
  }
  for (const auto& [fd, buffer] : clients) ::close(fd);
}

}  // namespace atmo::sim
