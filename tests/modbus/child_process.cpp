#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

extern char** environ;

namespace atmo::modbus::test {

ChildProcess::ChildProcess(std::vector<std::string> argv, std::chrono::seconds lifetime, bool commands) {
  argv.insert(argv.begin(), {"timeout", "-s", "KILL", std::to_string(lifetime.count())});
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  int in_fds[2] = {-1, -1};
  if (commands && pipe2(in_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  // A child that died must fail write_line(), not end the test process with SIGPIPE.
  if (commands) ::signal(SIGPIPE, SIG_IGN);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  if (commands) posix_spawn_file_actions_adddup2(&actions, in_fds[0], STDIN_FILENO);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  out_ = pipe_fds[0];
  if (commands) {
    ::close(in_fds[0]);
    in_ = in_fds[1];
  }
  if (rc != 0) {
    ::close(out_);
    if (in_ >= 0) ::close(in_);
    throw std::runtime_error("cannot start " + argv[4]);
  }
}

ChildProcess::~ChildProcess() {
  kill();
  if (out_ >= 0) ::close(out_);
  if (in_ >= 0) ::close(in_);
}

bool ChildProcess::write_line(const std::string& line) {
  if (in_ < 0) return false;
  const std::string text = line + "\n";
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(in_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void ChildProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);  // `timeout` passes it on to its child
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (true) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{out_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char chunk[512];
    const ssize_t n = ::read(out_, chunk, sizeof chunk);
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

}  // namespace atmo::modbus::test
