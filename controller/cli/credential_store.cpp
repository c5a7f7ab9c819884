#include "controller/cli/credential_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace atmo::cli {
namespace {

// The file is three "key value" lines; values never contain a newline (URLs, user names, hex tokens).
constexpr const char* kDaemonKey = "daemon";
constexpr const char* kUserKey = "user";
constexpr const char* kTokenKey = "token";

std::string errno_text() { return std::strerror(errno); }

}  // namespace

Result<std::filesystem::path> token_file() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && *xdg == '/') return std::filesystem::path(xdg) / "atmo" / "token";
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') return std::filesystem::path(home) / ".config" / "atmo" / "token";
  return make_error("neither XDG_CONFIG_HOME nor HOME is set: atmo does not know where to keep the login");
}

Result<std::optional<StoredLogin>> read_login() {
  auto path = token_file();
  if (!path) return path.error();
  std::error_code ec;
  if (!std::filesystem::exists(*path, ec)) return std::optional<StoredLogin>{};
  std::ifstream in(*path);
  if (!in) return make_error("cannot read " + path->string() + ": " + errno_text());
  StoredLogin login;
  std::string line;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    if (space == std::string::npos) continue;
    const std::string key = line.substr(0, space);
    const std::string value = line.substr(space + 1);
    if (key == kDaemonKey) login.daemon = value;
    if (key == kUserKey) login.username = value;
    if (key == kTokenKey) login.token = value;
  }
  if (login.daemon.empty() || login.token.empty()) {
    return make_error(path->string() + " is not an atmo login (run 'atmo logout', then 'atmo login')");
  }
  return std::optional<StoredLogin>(std::move(login));
}

Status save_login(const StoredLogin& login) {
  auto path = token_file();
  if (!path) return path.error();
  const auto folder = path->parent_path();
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return make_error("cannot create " + folder.string() + ": " + ec.message());
  ::chmod(folder.c_str(), 0700);
  // Written to a private temporary file, then renamed: no moment where the token is readable by
  // others, and no half-written file if the disk is full.
  const auto temporary = folder / (".token." + std::to_string(::getpid()));
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error("cannot write " + temporary.string() + ": " + errno_text());
  std::ostringstream text;
  text << kDaemonKey << ' ' << login.daemon << '\n' << kUserKey << ' ' << login.username << '\n'
       << kTokenKey << ' ' << login.token << '\n';
  const std::string data = text.str();
  const bool written = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
  const std::string why = errno_text();
  ::close(fd);
  if (!written || ::rename(temporary.c_str(), path->c_str()) != 0) {
    const std::string reason = written ? errno_text() : why;
    ::unlink(temporary.c_str());
    return make_error("cannot write " + path->string() + ": " + reason);
  }
  return ok_status();
}

Result<bool> forget_login() {
  auto path = token_file();
  if (!path) return path.error();
  if (::unlink(path->c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  return make_error("cannot remove " + path->string() + ": " + errno_text());
}

}  // namespace atmo::cli
