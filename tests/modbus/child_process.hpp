// An external process for an integration test (pymodbus peer, socat): started with a bounded
// lifetime (coreutils `timeout`), stdout read line by line with a deadline, killed by its pid.
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
  ChildProcess(std::vector<std::string> argv, std::chrono::seconds lifetime);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// The next line of stdout, or nullopt at end of file or when `deadline` passes.
  std::optional<std::string> read_line(std::chrono::milliseconds deadline);
  void kill();

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
};

}  // namespace atmo::modbus::test
