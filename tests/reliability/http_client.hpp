// A small blocking HTTP/1.1 client for the daemon's API, over a plain socket (one request per
// connection, "Connection: close"), so the process-level tests need no Beast in their build.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>

namespace atmo::reliability {

struct HttpReply {
  int status = 0;  ///< 0: no connection or no complete reply
  std::string body;
  std::map<std::string, std::string> headers;  ///< lower-case names
  boost::json::value json() const;             ///< null when the body is not JSON
  /// "atmo_session=<token>" from Set-Cookie, or "".
  std::string cookie() const;
};

/// Sends one request to 127.0.0.1:port. Never throws; a failure is status 0 with the reason in body.
HttpReply http_request(int port, const std::string& method, const std::string& target, const std::string& body = {},
                       const std::vector<std::pair<std::string, std::string>>& headers = {});

/// The API as a logged-in tablet uses it: session cookie, and the server's own Origin on changes.
class ApiClient {
 public:
  explicit ApiClient(int port) : port_(port) {}
  /// Logs in with a PIN or password; returns the reply (the cookie is kept on success).
  HttpReply login(const std::string& user, const std::string& secret);
  /// Creates the first admin on a daemon that has no user yet, and keeps its session.
  HttpReply setup(const std::string& user, const std::string& secret);
  HttpReply get(const std::string& target) const;
  HttpReply send(const std::string& method, const std::string& target, const std::string& body) const;
  HttpReply post(const std::string& target, const std::string& body) const { return send("POST", target, body); }
  const std::string& cookie() const { return cookie_; }
  int port() const { return port_; }

 private:
  int port_;
  std::string cookie_;
};

}  // namespace atmo::reliability
