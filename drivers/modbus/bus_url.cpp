#include "drivers/modbus/bus_url.hpp"

#include <charconv>
#include <string>

namespace atmo::modbus {
namespace {

Result<unsigned> parse_number(std::string_view text, std::string_view what, unsigned min, unsigned max) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return make_error(std::string(what) + " must be a number from " + std::to_string(min) + " to " +
                      std::to_string(max) + ", not '" + std::string(text) + "'");
  }
  return value;
}

}  // namespace

bool is_bus_url(std::string_view text) { return text.find("://") != std::string_view::npos; }

Result<v1::Bus> parse_bus_url(std::string_view url) {
  v1::Bus bus;
  bus.set_id("url");
  if (url.starts_with("tcp://")) {
    std::string_view rest = url.substr(6);
    if (auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
    std::string_view host = rest;
    unsigned port = 502;
    if (!rest.empty() && rest.front() == '[') {  // [::1]:502
      const auto close = rest.find(']');
      if (close == std::string_view::npos) return make_error("'" + std::string(url) + "': missing ']' after an IPv6 address");
      host = rest.substr(1, close - 1);
      rest = rest.substr(close + 1);
      if (!rest.empty() && rest.front() != ':') return make_error("'" + std::string(url) + "': expected ':port' after ']'");
      if (!rest.empty()) {
        auto p = parse_number(rest.substr(1), "the port", 1, 65535);
        if (!p) return p.error();
        port = *p;
      }
    } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
      host = rest.substr(0, colon);
      auto p = parse_number(rest.substr(colon + 1), "the port", 1, 65535);
      if (!p) return p.error();
      port = *p;
    }
    if (host.empty()) return make_error("'" + std::string(url) + "' names no host; write tcp://HOST:PORT");
    bus.mutable_tcp()->set_host(std::string(host));
    bus.mutable_tcp()->set_port(port);
    return bus;
  }
  if (url.starts_with("rtu://")) {
    std::string_view rest = url.substr(6);
    std::string_view query;
    if (auto q = rest.find('?'); q != std::string_view::npos) {
      query = rest.substr(q + 1);
      rest = rest.substr(0, q);
    }
    if (rest.empty() || rest.front() != '/') {
      return make_error("'" + std::string(url) + "' names no serial device; write rtu:///dev/ttyUSB0?baud=9600");
    }
    auto* rtu = bus.mutable_rtu();
    rtu->set_device(std::string(rest));
    rtu->set_baud(9600);
    rtu->set_parity(v1::PARITY_NONE);
    rtu->set_data_bits(8);
    rtu->set_stop_bits(1);
    while (!query.empty()) {
      const auto amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      const auto eq = pair.find('=');
      if (eq == std::string_view::npos) return make_error("'" + std::string(pair) + "' in the URL needs a value (name=value)");
      const std::string_view key = pair.substr(0, eq);
      const std::string_view value = pair.substr(eq + 1);
      if (key == "baud") {
        auto v = parse_number(value, "baud", 300, 4'000'000);
        if (!v) return v.error();
        rtu->set_baud(*v);
      } else if (key == "parity") {
        if (value == "N" || value == "n" || value == "none") rtu->set_parity(v1::PARITY_NONE);
        else if (value == "E" || value == "e" || value == "even") rtu->set_parity(v1::PARITY_EVEN);
        else if (value == "O" || value == "o" || value == "odd") rtu->set_parity(v1::PARITY_ODD);
        else return make_error("parity must be N, E or O, not '" + std::string(value) + "'");
      } else if (key == "data_bits") {
        auto v = parse_number(value, "data_bits", 5, 8);
        if (!v) return v.error();
        rtu->set_data_bits(*v);
      } else if (key == "stop_bits") {
        auto v = parse_number(value, "stop_bits", 1, 2);
        if (!v) return v.error();
        rtu->set_stop_bits(*v);
      } else if (key == "pacing_ms") {
        auto v = parse_number(value, "pacing_ms", 0, 10'000);
        if (!v) return v.error();
        rtu->set_request_pacing_ms(*v);
      } else {
        return make_error("unknown option '" + std::string(key) +
                          "' in the URL; known: baud, parity, data_bits, stop_bits, pacing_ms");
      }
    }
    return bus;
  }
  return make_error("'" + std::string(url) + "' is not a bus URL; use tcp://HOST:PORT or rtu:///dev/DEVICE?baud=9600&parity=N");
}

}  // namespace atmo::modbus
