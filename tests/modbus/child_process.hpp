// An external process for an integration test (pymodbus peer, socat): started with a bounded
// lifetime (coreutils `timeout`), stdout read line by line with a deadline, commands written to its
// stdin when asked for, killed by its pid.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace atmo::modbus::test {

class ChildProcess {
 public:
  /// Runs `argv` under `timeout <lifetime>`; stdout is piped, stderr goes to the test's stderr.
  /// Throws std::runtime_error when it cannot be started.
  /// With `commands`, its stdin is a pipe that write_line() feeds (closed with the object).
  ChildProcess(std::vector<std::string> argv, std::chrono::seconds lifetime, bool commands = false);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// The next line of stdout, or nullopt at end of file or when `deadline` passes.
  std::optional<std::string> read_line(std::chrono::milliseconds deadline);
  /// Writes `line` and a newline to its stdin; false when it has no command pipe or has gone.
  bool write_line(const std::string& line);
  void kill();

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int in_ = -1;
  std::string buffer_;
};

}  // namespace atmo::modbus::test
