#include "fleet_rig.hpp"


#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <mosquitto.h>

extern char** environ;

namespace atmo::fleet::test {

TempDir::TempDir(const std::string& name) {
  std::string pattern = (fs::temp_directory_path() / ("atmo-" + name + "-XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  // ATMO_KEEP_TEST_DIRS=1 keeps the logs of the broker, simulators and daemons to read afterwards.
  if (const char* keep = std::getenv("ATMO_KEEP_TEST_DIRS"); keep && std::string(keep) == "1") return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

// ---------------------------------------------------------------------------------------------

Process::Process(std::vector<std::string> argv, fs::path log) : log_(std::move(log)) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const int rc = ::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
}

Process::~Process() {
  if (!status_) {
    signal(SIGKILL);
    (void)wait(5s);
  }
}

void Process::signal(int sig) {
  if (!status_ && pid_ > 0) ::kill(pid_, sig);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(20ms);
  }
}

std::string Process::log() const {
  std::ifstream in(log_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool wait_for_port(int port, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------

Broker::Broker(fs::path dir, int port, const std::string& extra) : dir_(std::move(dir)), port_(port) {
  fs::create_directories(dir_);
  std::ofstream conf(dir_ / "mosquitto.conf");
  conf << "listener " << port_ << " 127.0.0.1\n"
       << (extra.find("password_file") == std::string::npos ? "allow_anonymous true\n" : "allow_anonymous false\n")
       // Queued messages of persistent sessions survive the restart in here.
       << "persistence true\n"
       << "persistence_location " << dir_.string() << "/\n"
       << "max_queued_messages 0\n"  // no per-client cap: the test counts every message
       << "log_dest stdout\n"
       << "log_type error\nlog_type warning\nlog_type notice\n"
       << extra;
  // Run as root, mosquitto would switch to the `mosquitto` user, who cannot write this folder.
  if (::geteuid() == 0) conf << "user root\n";
}

void Broker::start() {
  process_ = std::make_unique<Process>(std::vector<std::string>{MOSQUITTO_EXE, "-c", (dir_ / "mosquitto.conf").string()},
                                       dir_ / "mosquitto.log");
  if (!wait_for_port(port_, 10s)) throw std::runtime_error("mosquitto does not listen on " + std::to_string(port_) + ":\n" + log());
}

void Broker::stop() {
  if (!process_) return;
  process_->signal(SIGTERM);
  if (!process_->wait(10s)) throw std::runtime_error("mosquitto did not stop on SIGTERM");
}

std::string Broker::log() const {
  std::ifstream in(dir_ / "mosquitto.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// ---------------------------------------------------------------------------------------------

fs::path write_demo_venue(const fs::path& dir, const std::string& id, const std::string& extra) {
  std::ifstream in(std::string(ATMO_SOURCE_DIR) + "/config/venues/demo.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  auto replace = [&](const std::string& from, const std::string& to) {
    const auto pos = yaml.find(from);
    if (pos == std::string::npos) throw std::runtime_error("demo.yaml has no '" + from + "'");
    yaml.replace(pos, from.size(), to);
  };
  replace("id: aurora-spa", "id: " + id);
  replace("profile_dirs: [../profiles]", "profile_dirs: [" + std::string(ATMO_SOURCE_DIR) + "/config/profiles]");
  // Every bus of the demo on a port of its own, so venues (and parallel test runs) never meet.
  const std::regex port(R"(port: (150\d\d)\})");
  std::string out;
  auto begin = std::sregex_iterator(yaml.begin(), yaml.end(), port);
  std::size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out += yaml.substr(last, static_cast<std::size_t>(it->position()) - last);
    out += "port: " + std::to_string(free_port()) + "}";
    last = static_cast<std::size_t>(it->position() + it->length());
  }
  out += yaml.substr(last);
  if (out.back() != '\n') out += '\n';
  const auto file = dir / (id + ".yaml");
  std::ofstream(file) << out << extra;
  return file;
}

VenueDaemon::VenueDaemon(const fs::path& dir, const fs::path& venue_file) {
  const auto state = dir / (venue_file.stem().string() + "-state");
  fs::create_directories(state);
  sim_ = std::make_unique<Process>(
      std::vector<std::string>{ATMO_EXE, "sim", "--venue", venue_file.string(), "--control", "off"},
      dir / (venue_file.stem().string() + "-sim.log"));
  daemon_ = std::make_unique<Process>(
      std::vector<std::string>{ATMO_EXE, "serve", "-c", venue_file.string(), "--no-audio", "--state-dir", state.string(),
                               "--listen", "127.0.0.1:0"},
      dir / (venue_file.stem().string() + "-daemon.log"));
}

int VenueDaemon::api_port(std::chrono::milliseconds timeout) {
  if (port_) return *port_;
  static const std::regex running(R"(is running: open https?://127\.0\.0\.1:(\d+)/)");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string log = daemon_->log();
    std::smatch m;
    if (std::regex_search(log, m, running)) {
      port_ = std::stoi(m[1]);
      return *port_;
    }
    if (daemon_->wait(0ms)) throw std::runtime_error("atmo serve ended:\n" + log);
    std::this_thread::sleep_for(100ms);
  }
  throw std::runtime_error("atmo serve did not start in time:\n" + daemon_->log());
}

// ---------------------------------------------------------------------------------------------

Subscriber::Subscriber(int port, const std::string& client_id, const std::string& filter, const SubscriberAuth& auth)
    : filter_(filter) {
  mosquitto_lib_init();
  mosq_ = mosquitto_new(client_id.c_str(), false, this);
  if (!mosq_) throw std::runtime_error("mosquitto_new failed");
  mosquitto_connect_callback_set(mosq_, &Subscriber::on_connect);
  mosquitto_disconnect_callback_set(mosq_, &Subscriber::on_disconnect);
  mosquitto_message_callback_set(mosq_, &Subscriber::on_message);
  mosquitto_reconnect_delay_set(mosq_, 1, 1, false);
  if (!auth.username.empty()) mosquitto_username_pw_set(mosq_, auth.username.c_str(), auth.password.c_str());
  if (!auth.ca_file.empty() && mosquitto_tls_set(mosq_, auth.ca_file.c_str(), nullptr, nullptr, nullptr, nullptr) != MOSQ_ERR_SUCCESS) {
    throw std::runtime_error("subscriber: TLS settings refused");
  }
  if (mosquitto_connect(mosq_, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS) throw std::runtime_error("subscriber cannot connect");
  mosquitto_loop_start(mosq_);
}

Subscriber::~Subscriber() {
  mosquitto_disconnect(mosq_);
  mosquitto_loop_stop(mosq_, false);
  mosquitto_destroy(mosq_);
}

void Subscriber::on_connect(mosquitto* mosq, void* self_ptr, int rc) {
  auto* self = static_cast<Subscriber*>(self_ptr);
  if (rc != 0) return;
  mosquitto_subscribe(mosq, nullptr, self->filter_.c_str(), 1);
  std::lock_guard lock(self->mutex_);
  self->connected_ = true;
}

void Subscriber::on_disconnect(mosquitto*, void* self_ptr, int) {
  auto* self = static_cast<Subscriber*>(self_ptr);
  std::lock_guard lock(self->mutex_);
  self->connected_ = false;
}

void Subscriber::on_message(mosquitto*, void* self_ptr, const mosquitto_message* message) {
  auto* self = static_cast<Subscriber*>(self_ptr);
  Received r;
  r.topic = message->topic;
  if (message->payload && message->payloadlen > 0) {
    r.payload.assign(static_cast<const char*>(message->payload), static_cast<std::size_t>(message->payloadlen));
  }
  r.retain = message->retain;
  r.at = std::chrono::steady_clock::now();
  std::lock_guard lock(self->mutex_);
  self->messages_.push_back(std::move(r));
}

std::vector<Received> Subscriber::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

bool Subscriber::connected() const {
  std::lock_guard lock(mutex_);
  return connected_;
}

bool Subscriber::wait_for(const std::function<bool(const std::vector<Received>&)>& done,
                          std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done(messages())) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
}

void Subscriber::publish(const std::string& topic, const std::string& payload) {
  const int rc = mosquitto_publish(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, false);
  if (rc != MOSQ_ERR_SUCCESS) throw std::runtime_error(std::string("publish failed: ") + mosquitto_strerror(rc));
}

// ---------------------------------------------------------------------------------------------

HttpResponse http_request(int port, const std::string& method, const std::string& target, const std::string& authorization) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot connect to the API on port " + std::to_string(port));
  }
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                        "\r\nConnection: close\r\nContent-Length: 0\r\n";
  if (!authorization.empty()) request += "Authorization: " + authorization + "\r\n";
  request += "\r\n";
  (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string raw;
  char buf[16384];
  for (;;) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  HttpResponse r;
  const auto end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || end == std::string::npos) throw std::runtime_error("malformed HTTP response: " + raw);
  r.status = std::stoi(raw.substr(9, 3));
  r.headers = raw.substr(0, end);
  std::transform(r.headers.begin(), r.headers.end(), r.headers.begin(), [](unsigned char c) { return std::tolower(c); });
  r.body = raw.substr(end + 4);
  return r;
}

}  // namespace atmo::fleet::test
