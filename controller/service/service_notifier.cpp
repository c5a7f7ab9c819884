#include "controller/service/service_notifier.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace atmo::controller::service {
namespace {

std::optional<long long> env_number(const char* name) {
  const char* text = std::getenv(name);
  if (!text || !*text) return std::nullopt;
  long long value = 0;
  const auto end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, value);
  if (ec != std::errc() || ptr != end || value <= 0) return std::nullopt;
  return value;
}

}  // namespace

ServiceNotifier ServiceNotifier::from_environment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  std::optional<std::chrono::microseconds> watchdog;
  if (auto usec = env_number("WATCHDOG_USEC")) {
    // The manager names the process it watches; a child that inherited the variables is not it.
    auto pid = env_number("WATCHDOG_PID");
    if (!pid || *pid == static_cast<long long>(::getpid())) watchdog = std::chrono::microseconds(*usec);
  }
  return ServiceNotifier(socket ? socket : "", watchdog);
}

ServiceNotifier::ServiceNotifier(std::string socket_path, std::optional<std::chrono::microseconds> watchdog)
    : socket_path_(std::move(socket_path)), watchdog_(watchdog) {
  if (socket_path_.empty()) watchdog_.reset();  // nobody to send the pings to
}

Status ServiceNotifier::send(std::string_view message) const {
  if (!active()) return ok_status();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof(address.sun_path)) {
    return Error{"NOTIFY_SOCKET " + socket_path_ + " is longer than a socket path may be"};
  }
  std::memcpy(address.sun_path, socket_path_.data(), socket_path_.size());
  // '@' names a socket in the abstract namespace: its real name starts with a NUL byte and has
  // no terminator, so the address length counts exactly the name's bytes.
  if (socket_path_.front() == '@') address.sun_path[0] = '\0';
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size() +
                                             (socket_path_.front() == '@' ? 0 : 1));
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{std::string("cannot open a socket to the service manager: ") + std::strerror(errno)};
  const auto sent = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                             reinterpret_cast<const sockaddr*>(&address), length);
  const int error = errno;
  ::close(fd);
  if (sent < 0) return Error{"cannot notify the service manager at " + socket_path_ + ": " + std::strerror(error)};
  return ok_status();
}

std::string status_line(std::string_view text) {
  std::string line(text);
  for (auto& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return line;
}

}  // namespace atmo::controller::service
