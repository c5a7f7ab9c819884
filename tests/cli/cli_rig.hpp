// What the CLI tests need to run `atmo` the way a technician does: the real binary as a process,
// its own config folder (so `atmo login` writes its token there, never in the user's home), a
// demo daemon or a simulator on free ports in a temporary folder, and every child killed by pid.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/free_port.hpp"
#include "tests/test_clock.hpp"

namespace atmo::cli::test {

inline const std::string kAtmo = ATMO_CLI;

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + what.size())) ++n;
  return n;
}

/// A private folder under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "atmo-cli-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

using ::atmo::test::free_port;
using ::atmo::test::test_clock;

/// `atmo` with `args` (shell words), in a clean environment plus `env`, standard input from
/// `input`, and at most `timeout_s` seconds (coreutils timeout: a hung command fails the test
/// instead of hanging it).
inline Run run_atmo(const TempDir& dir, const std::string& args, const std::map<std::string, std::string>& env,
                    const std::string& input = {}, int timeout_s = 30) {
  static int serial = 0;
  const std::string stem = dir.file("run" + std::to_string(++serial));
  std::ofstream(stem + ".in") << input;
  std::string command = "env -u ATMO_TOKEN -u ATMO_DAEMON -u XDG_CONFIG_HOME -u NO_COLOR";
  for (const auto& [key, value] : env) command += " " + key + "=" + quote(value);
  command += " timeout -k 2 " + std::to_string(timeout_s) + " " + kAtmo + " " + args + " <" + quote(stem + ".in") +
             " >" + quote(stem + ".out") + " 2>" + quote(stem + ".err");
  const int status = std::system(command.c_str());
  Run r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(stem + ".out");
  r.err = slurp(stem + ".err");
  return r;
}

/// A child process (`atmo demo`, `atmo sim`) with its output in files, stopped by pid.
class Child {
 public:
  Child(std::vector<std::string> argv, const std::string& log_stem) : out_(log_stem + ".out"), err_(log_stem + ".err") {
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      const int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int in = ::open("/dev/null", O_RDONLY);
      ::dup2(out, STDOUT_FILENO);
      ::dup2(err, STDERR_FILENO);
      ::dup2(in, STDIN_FILENO);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Child() { stop(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  /// SIGTERM, then SIGKILL if it has not gone within 10 s. Returns its exit status (-1: killed).
  int stop() {
    if (pid_ <= 0) return status_;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 200; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return status_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status_ = -1;
  }
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    return ::waitpid(pid_, &status, WNOHANG) == 0;
  }
  std::string out() const { return slurp(out_); }
  std::string err() const { return slurp(err_); }

  /// Waits until the output contains `text`; false after `seconds` or when the child ended.
  bool wait_for_output(const std::string& text, int seconds) {
    for (int i = 0; i < seconds * 20; ++i) {
      if (out().find(text) != std::string::npos) return true;
      if (!running()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

 private:
  std::string out_;
  std::string err_;
  pid_t pid_ = -1;
  int status_ = -1;
};

/// `atmo demo --no-audio` on a free port with its state in `dir`, and a technician's shell for it:
/// run() sets ATMO_DAEMON to the demo and XDG_CONFIG_HOME to a folder of `dir`.
class DemoDaemon {
 public:
  explicit DemoDaemon(const TempDir& dir, bool audio = false)
      : dir_(dir),
        port_(free_port()),
        child_(arguments(dir, port_, audio), dir.file("demo")) {
    if (!child_.wait_for_output("is running", 30)) {
      throw std::runtime_error("atmo demo did not start:\n" + child_.out() + child_.err());
    }
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::map<std::string, std::string> env() const {
    return {{"ATMO_DAEMON", url()}, {"XDG_CONFIG_HOME", dir_.file("config")}, {"HOME", dir_.path().string()}};
  }
  Run run(const std::string& args, const std::string& input = {}, int timeout_s = 30) const {
    return run_atmo(dir_, args, env(), input, timeout_s);
  }
  /// Logs in as `user` with `pin` (on standard input, as a script does).
  Run login(const std::string& user, const std::string& pin) const { return run("login --user " + user, pin + "\n"); }
  std::string token_file() const { return dir_.file("config") + "/atmo/token"; }
  /// The bearer token `atmo login` stored, for requests the CLI has no command for.
  std::string token() const {
    const auto stored = slurp(token_file());
    const auto at = stored.find("token ");
    if (at == std::string::npos) return {};
    return stored.substr(at + 6, stored.find('\n', at) - at - 6);
  }
  int port() const { return port_; }
  Child& process() { return child_; }

 private:
  static std::vector<std::string> arguments(const TempDir& dir, int port, bool audio) {
    std::vector<std::string> argv{kAtmo,      "demo", "--port", std::to_string(port), "--state-dir", dir.file("state"),
                                  "--clock", test_clock(), "--history-days", "0"};
    if (!audio) argv.emplace_back("--no-audio");
    return argv;
  }
  const TempDir& dir_;
  int port_;
  Child child_;
};

/// POSTs `body` as JSON to the daemon on 127.0.0.1:`port` over plain HTTP; returns the status.
/// For what the CLI itself does not do (creating the first admin, a technician's point write).
inline int http_post(int port, const std::string& path, const std::string& body, const std::string& bearer = {}) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval wait{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  const std::string request = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                              (bearer.empty() ? std::string() : "\r\nAuthorization: Bearer " + bearer) +
                              "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                              "\r\nConnection: close\r\n\r\n" + body;
  if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return -1;
  }
  std::string reply;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) reply.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  // "HTTP/1.1 200 OK"
  return reply.size() > 12 && reply.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(reply.substr(9, 3)) : -1;
}

/// The demo venue as a real installation runs it: `atmo sim` serving its devices on free ports,
/// `atmo serve` (no demo users: the first admin is created through setup), every criterion's
/// tolerance cut to 1 s (a reading outside its range is out of standard at once) and the day
/// program all day long, whatever the time the test runs at.
class ServedVenue {
 public:
  explicit ServedVenue(const TempDir& dir) : dir_(dir), control_(free_port()), api_(free_port()) {
    std::string text = slurp(std::string(ATMO_SOURCE_DIR) + "/config/venues/demo.yaml");
    replace(text, "profile_dirs: [../profiles]", "profile_dirs: [" + std::string(ATMO_SOURCE_DIR) + "/config/profiles]");
    for (const char* port : {"port: 15020", "port: 15021", "port: 15022"}) {
      replace(text, port, "port: " + std::to_string(free_port()));
    }
    for (auto at = text.find("tolerance_s: "); at != std::string::npos; at = text.find("tolerance_s: ", at + 1)) {
      const auto digits = at + 13;
      const auto end = text.find_first_not_of("0123456789", digits);
      text.replace(digits, end - digits, "1");
    }
    // Day all day, every day (no holidays): the criteria apply whenever the test runs.
    replace(text, "programs:\n", "programs:\n  - {id: all-day, steps: [{at: \"00:00\", venue_scene: day}]}\n");
    replace(text, "  - {days: [mon, tue, wed, thu, fri], program: weekday}\n  - {days: [sat, sun], program: weekend}\n",
            "  - {days: [mon, tue, wed, thu, fri, sat, sun], program: all-day}\n");
    const auto exceptions = text.find("\nexceptions:\n");
    const auto after = text.find("\n\n", exceptions + 1);
    if (exceptions == std::string::npos || after == std::string::npos) throw std::runtime_error("no exceptions block");
    text.replace(exceptions, after - exceptions, "\nexceptions: []");
    venue_ = dir.file("venue.yaml");
    std::ofstream(venue_) << text;
    sim_ = std::make_unique<Child>(std::vector<std::string>{kAtmo, "sim", "--venue", venue_, "--control", control(),
                                                           "--clock", test_clock()},
                                   dir.file("sim"));
    bool ready = false;
    for (int i = 0; i < 300 && !ready; ++i) {
      ready = ctl("status").code == 0;
      if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!ready) throw std::runtime_error("atmo sim did not start:\n" + sim_->err());
    serve_ = std::make_unique<Child>(std::vector<std::string>{kAtmo, "serve", "--config", venue_, "--state-dir",
                                                              dir.file("state"), "--listen", "127.0.0.1:" + std::to_string(api_),
                                                              "--no-audio", "--clock", test_clock()},
                                     dir.file("serve"));
    if (!serve_->wait_for_output("is running", 30)) {
      throw std::runtime_error("atmo serve did not start:\n" + serve_->out() + serve_->err());
    }
    if (http_post(api_, "/api/v1/setup", R"({"username":"admin","displayName":"Admin","secret":"1111"})") != 200) {
      throw std::runtime_error("setup of the first admin failed");
    }
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(api_); }
  std::string control() const { return "127.0.0.1:" + std::to_string(control_); }
  std::map<std::string, std::string> env() const {
    return {{"ATMO_DAEMON", url()}, {"XDG_CONFIG_HOME", dir_.file("config")}};
  }
  Run run(const std::string& args, const std::string& input = {}) const { return run_atmo(dir_, args, env(), input); }
  Run ctl(const std::string& words) const { return run_atmo(dir_, "sim ctl --control " + control() + " " + words, {}); }

 private:
  static void replace(std::string& text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    if (at == std::string::npos) throw std::runtime_error("the demo venue has no '" + from + "'");
    text.replace(at, from.size(), to);
  }
  const TempDir& dir_;
  int control_;
  int api_;
  std::string venue_;
  std::unique_ptr<Child> sim_;
  std::unique_ptr<Child> serve_;  ///< declared last: stopped first
};

}  // namespace atmo::cli::test
