#include "sim/control_protocol.hpp"

#include <charconv>
#include <cmath>
#include <sstream>
#include <vector>

namespace atmo::sim {
namespace {

std::vector<std::string> split_words(std::string_view line) {
  std::istringstream in{std::string(line)};
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// Ten significant digits: register values are at most f32 precise, and 0.1-scaled integers would
// otherwise print as 39.900000000000006.
std::string format_number(double v) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 10);
  return ec == std::errc{} ? std::string(buf, end) : std::to_string(v);
}

Result<double> parse_double(const std::string& word, const std::string& what) {
  double value = 0;
  const auto* end = word.data() + word.size();
  const auto [ptr, ec] = std::from_chars(word.data(), end, value);
  if (ec != std::errc{} || ptr != end || !std::isfinite(value)) {
    return make_error(what + " must be a number, got '" + word + "'");
  }
  return value;
}

std::string ok(const std::string& text = {}) { return text.empty() ? "ok" : "ok " + text; }
std::string error(const std::string& text) { return "error " + text; }

}  // namespace

std::string control_help() {
  return "commands: get POINT | set POINT VALUE | sound ZONE DB|off | "
         "fault DEVICE drop|delay MS|exception CODE|garbage|close|clear | bus BUS down|up | status | "
         "points [ZONE] | help";
}

std::string execute_control_command(Simulator& sim, std::string_view line) {
  const auto words = split_words(line);
  if (words.empty()) return error("empty command; " + control_help());
  const std::string& command = words[0];
  const auto usage = [&](const std::string& form) { return error("usage: " + form); };

  if (command == "help") return ok(control_help());
  if (command == "status") {
    if (words.size() != 1) return usage("status");
    return ok(sim.status_json());
  }
  if (command == "get") {
    if (words.size() != 2) return usage("get POINT");
    auto v = sim.get(words[1]);
    return v ? ok(format_number(*v)) : error(v.error().message);
  }
  if (command == "set") {
    if (words.size() != 3) return usage("set POINT VALUE");
    auto value = parse_double(words[2], "VALUE");
    if (!value) return error(value.error().message);
    auto v = sim.set(words[1], *value);
    return v ? ok(format_number(*v)) : error(v.error().message);
  }
  if (command == "sound") {
    if (words.size() != 3) return usage("sound ZONE DB|off");
    std::optional<double> level;
    if (words[2] != "off") {
      auto db = parse_double(words[2], "DB (dBFS, -120..0, or off)");
      if (!db) return error(db.error().message);
      level = *db;
    }
    auto r = sim.set_sound_level(words[1], level);
    return r ? ok(level ? format_number(*level) : "off") : error(r.error().message);
  }
  if (command == "fault") {
    if (words.size() < 3) return usage("fault DEVICE drop|delay MS|exception CODE|garbage|close|clear");
    std::string rest;
    for (std::size_t i = 2; i < words.size(); ++i) rest += words[i] + " ";
    auto fault = parse_fault(rest);
    if (!fault) return error(fault.error().message);
    auto r = sim.set_fault(words[1], *fault);
    return r ? ok(to_string(*r)) : error(r.error().message);
  }
  if (command == "bus") {
    if (words.size() != 3 || (words[2] != "down" && words[2] != "up")) return usage("bus BUS down|up");
    auto r = sim.set_bus_up(words[1], words[2] == "up");
    return r ? ok(std::to_string(*r)) : error(r.error().message);
  }
  if (command == "points") {
    if (words.size() > 2) return usage("points [ZONE]");
    std::string ids;
    for (const auto& p : sim.venue().points()) {
      if (words.size() == 2 && p.zone != words[1]) continue;
      ids += (ids.empty() ? "" : " ") + p.id;
    }
    if (ids.empty()) return error("no points" + (words.size() == 2 ? " in zone '" + words[1] + "'" : std::string()));
    return ok(ids);
  }
  return error("unknown command '" + command + "'; " + control_help());
}

}  // namespace atmo::sim
