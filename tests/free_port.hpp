// A loopback TCP port for the process-level tests that start daemons, simulators and brokers side by
// side under ctest -j.
//
// Why not "bind to port 0 and close": the kernel hands out such ports from the ephemeral range, and
// a port released there is soon the source port of some other test's outgoing connection, so the
// daemon that is then told to listen on it fails with "Address already in use" (it did, in CI).
// So ports come from below the ephemeral range (32768 on Linux), handed out in turn from a counter
// that every test process shares through a locked file (tests/free_port.py reads the same file),
// and each one is checked free before it is given.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace atmo::test {

inline constexpr int kTestPortFirst = 20000;
inline constexpr int kTestPortCount = 12000;  // up to 31999, below the ephemeral range

inline bool port_is_free(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return free;
}

inline std::string port_counter_path() {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/atmo-test-ports-" + std::to_string(::getuid());
}

inline int free_port() {
  const std::string path = port_counter_path();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot find a free port: cannot open " + path);
  if (::flock(fd, LOCK_EX) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port: cannot lock " + path);
  }
  char text[32] = {};
  const ssize_t got = ::pread(fd, text, sizeof text - 1, 0);
  // A new counter starts at a place of its own so that two checkouts' runs rarely meet.
  long next = got > 0 ? std::strtol(text, nullptr, 10) : static_cast<long>(::getpid());
  int port = -1;
  for (int tries = 0; tries < kTestPortCount && port < 0; ++tries) {
    const int candidate = kTestPortFirst + static_cast<int>(((next % kTestPortCount) + kTestPortCount) % kTestPortCount);
    next = (next + 1) % kTestPortCount;
    if (port_is_free(candidate)) port = candidate;
  }
  const int length = std::snprintf(text, sizeof text, "%ld\n", next);
  const bool saved = ::ftruncate(fd, 0) == 0 && ::pwrite(fd, text, static_cast<size_t>(length), 0) == length;
  ::flock(fd, LOCK_UN);
  ::close(fd);
  if (port < 0) throw std::runtime_error("cannot find a free port: all test ports are taken");
  if (!saved) throw std::runtime_error("cannot find a free port: cannot write " + path);
  return port;
}

}  // namespace atmo::test
