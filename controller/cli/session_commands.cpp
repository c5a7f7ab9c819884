// `atmo login` / `atmo logout`: a session on the daemon whose token the other daemon commands send.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "controller/cli/credential_store.hpp"
#include "controller/cli/daemon_client.hpp"
#include "controller/cli/daemon_commands.hpp"
#include "controller/cli/exit_codes.hpp"
#include "controller/cli/terminal.hpp"

namespace atmo::cli {
namespace {

struct LoginOptions {
  DaemonOptions daemon;
  std::string user;
};

std::string role_word(v1::Role role) {
  switch (role) {
    case v1::ROLE_RECEPTIONIST: return "receptionist";
    case v1::ROLE_THERAPIST: return "therapist";
    case v1::ROLE_MANAGER: return "manager";
    case v1::ROLE_TECHNICIAN: return "technician";
    case v1::ROLE_ADMIN: return "admin";
    default: return "no role";
  }
}

int run_login(const LoginOptions& o) {
  constexpr const char* kName = "login";
  auto client = DaemonClient::open(o.daemon);
  if (!client) return report_failure(kName, client.failure());
  std::string user = o.user;
  if (user.empty()) {
    if (!stdin_is_terminal()) {
      return report_failure(kName, {kExitUsage, "name the user with --user (standard input is not a terminal)"});
    }
    auto typed = read_line("user on " + client->url().text + ": ");
    if (!typed || typed->empty()) return report_failure(kName, {kExitUsage, "no user name given"});
    user = *typed;
  }
  auto secret = read_secret("PIN or password for " + user + ": ");
  if (!secret || secret->empty()) return report_failure(kName, {kExitUsage, "no PIN or password given"});

  v1::LoginRequest request;
  request.set_username(user);
  request.set_secret(*secret);
  request.set_bearer(true);
  auto answer = client->exchange("POST", "/api/v1/login", message_json(request), false);
  if (!answer) return report_failure(kName, answer.failure());
  if (answer->status == 401) {
    return report_failure(kName, {kExitDenied, "wrong user name or PIN/password for " + client->url().text});
  }
  if (answer->status != 200) return report_failure(kName, client->failure_for(*answer));
  v1::Session session;
  if (auto parsed = parse_message(answer->body, session); !parsed) return report_failure(kName, parsed.failure());
  if (session.token().empty()) {
    return report_failure(kName, {kExitFailure, "the daemon gave no token (is it an older atmo without CLI logins?)"});
  }
  if (auto saved = save_login({client->url().text, session.user().username(), session.token()}); !saved) {
    return report_failure(kName, {kExitFailure, saved.error().message});
  }
  const auto path = token_file();
  std::cout << "logged in to " << client->url().text << " as " << session.user().username() << " ("
            << role_word(session.user().role()) << "); the session ends after " << session.idle_minutes()
            << " min without a command.\n";
  if (path) std::cout << "token saved in " << path->string() << "\n";
  if (std::getenv("ATMO_TOKEN") != nullptr) {
    std::cerr << "atmo login: note: ATMO_TOKEN is set and is used instead of this login until you unset it\n";
  }
  return kExitOk;
}

int run_logout(const DaemonOptions& daemon) {
  constexpr const char* kName = "logout";
  auto client = DaemonClient::open(daemon);
  if (!client) return report_failure(kName, client.failure());
  if (!client->has_token()) {
    std::cout << "not logged in to " << client->url().text << "\n";
    return kExitOk;
  }
  // End the session on the daemon first; the local token goes either way.
  auto answer = client->exchange("POST", "/api/v1/logout", "{}");
  auto stored = read_login();
  if (stored && stored->has_value() && (*stored)->daemon == client->url().text) {
    if (auto forgotten = forget_login(); !forgotten) return report_failure(kName, {kExitFailure, forgotten.error().message});
  }
  if (!answer) {
    std::cerr << "atmo logout: the local token is removed, but the daemon was not told: " << answer.failure().message
              << "\n";
  } else if (answer->status != 204 && answer->status != 401) {
    std::cerr << "atmo logout: the local token is removed; the daemon answered: " << client->failure_for(*answer).message
              << "\n";
  }
  std::cout << "logged out of " << client->url().text << "\n";
  if (std::getenv("ATMO_TOKEN") != nullptr) std::cout << "(that session came from ATMO_TOKEN: unset it too)\n";
  return kExitOk;
}

}  // namespace

void add_session_commands(CLI::App& app) {
  auto login = std::make_shared<LoginOptions>();
  auto* in = app.add_subcommand("login", "Log in to the daemon; the other daemon commands use this session");
  in->add_option("-u,--user", login->user, "User name (asked on a terminal when missing)");
  add_daemon_options(in, login->daemon);
  in->footer(
      "Asks for the PIN or password without echo on a terminal, or reads one line from standard input\n"
      "otherwise. The session token is kept in $XDG_CONFIG_HOME/atmo/token (else ~/.config/atmo/token),\n"
      "readable by you only, and is sent only to the daemon that issued it. ATMO_TOKEN overrides it.\n"
      "Sessions end after the venue's idle time (default 30 min) and when the daemon restarts.\n"
      "Exit codes: 0 logged in, 4 daemon unreachable, 6 wrong PIN/password or locked out.\n\n"
      "Examples:\n"
      "  atmo login --user technician\n"
      "  atmo login --daemon https://spa-box:8443 --cacert spa-box.pem -u anna\n"
      "  echo \"$PIN\" | atmo login -u technician          # scripts");
  in->callback([login] { throw CLI::RuntimeError(run_login(*login)); });

  auto logout = std::make_shared<DaemonOptions>();
  auto* out = app.add_subcommand("logout", "End the session on the daemon and forget its token");
  add_daemon_options(out, *logout);
  out->footer(
      "Examples:\n"
      "  atmo logout\n"
      "  atmo logout --daemon https://spa-box:8443");
  out->callback([logout] { throw CLI::RuntimeError(run_logout(*logout)); });
}

}  // namespace atmo::cli
