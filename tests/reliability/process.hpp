// A child process for the reliability tests: `atmo serve`, `atmo sim`, the misbehaving Modbus
// server. Started with posix_spawn, stdout either piped (read line by line with a deadline) or
// appended to a log file together with stderr, stdin optionally piped for a control protocol.
// Never killed by name: the destructor sends SIGKILL to this pid only, and reaps it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tests/free_port.hpp"

namespace atmo::reliability {

struct ProcessOptions {
  std::filesystem::path log;   ///< stdout and stderr appended here; empty: stdout piped, stderr inherited
  bool pipe_stdin = false;     ///< write_line() feeds the child's stdin
  std::optional<uid_t> uid;    ///< run as this user (and its group = uid), e.g. to make file modes bite
};

class Process {
 public:
  /// Throws std::runtime_error when the program cannot be started.
  Process(std::vector<std::string> argv, ProcessOptions options = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  /// True while the child has not exited (reaps it when it has; exit_status() then tells how).
  bool running();
  /// The next line of the piped stdout, or nullopt at end of file or when `limit` passes.
  std::optional<std::string> read_line(std::chrono::milliseconds limit);
  /// Writes `line` and a newline to the child's stdin.
  void write_line(const std::string& line);
  /// Sends SIGTERM and waits up to `limit` for the exit; SIGKILL after that.
  /// Returns the exit status as waitpid() reports it.
  int terminate(std::chrono::milliseconds limit = std::chrono::seconds(10));
  /// The raw waitpid() status once the child has exited.
  std::optional<int> exit_status() const { return status_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int in_ = -1;
  std::string buffer_;
  std::optional<int> status_;
};

/// A TCP port on 127.0.0.1 that was free a moment ago (for servers that cannot bind port 0 and
/// report it, such as the buses `atmo sim` serves at the ports a venue file names).
using ::atmo::test::free_port;

/// "exited with 0", "killed by signal 6", … for messages.
std::string describe_status(int status);

/// The whole text of a file ("" when it does not exist).
std::string read_file(const std::filesystem::path& path);

}  // namespace atmo::reliability
