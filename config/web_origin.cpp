#include "config/web_origin.hpp"

#include <cctype>

namespace atmo::config {

std::optional<std::string> web_origin_problem(std::string_view origin) {
  std::string_view rest;
  if (origin.rfind("https://", 0) == 0) {
    rest = origin.substr(8);
  } else if (origin.rfind("http://", 0) == 0) {
    rest = origin.substr(7);
  } else {
    return std::string("must start with http:// or https:// (as the browser sends it in Origin)");
  }
  if (rest.empty()) return std::string("has no host");
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return std::string("must be only scheme://host[:port], without a path or a trailing slash");
  }
  std::string_view host = rest;
  // "[::1]:8080" keeps its colons inside the brackets.
  const auto colon = rest.rfind(':');
  const auto bracket = rest.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = rest.substr(0, colon);
    const auto port = rest.substr(colon + 1);
    unsigned long value = 0;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::string("has a port that is not a number");
      value = value * 10 + static_cast<unsigned long>(c - '0');
      if (value > 65535) break;
    }
    if (port.empty() || value == 0 || value > 65535) return std::string("has a port outside 1..65535");
  }
  if (host.empty()) return std::string("has no host");
  for (char c : host) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '@') return std::string("has a host with spaces or '@'");
  }
  return std::nullopt;
}

}  // namespace atmo::config
