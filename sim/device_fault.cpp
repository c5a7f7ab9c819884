#include "sim/device_fault.hpp"

#include <charconv>
#include <sstream>
#include <vector>

namespace atmo::sim {
namespace {

Result<unsigned> parse_number(const std::string& word, const std::string& what, unsigned min, unsigned max) {
  unsigned value = 0;
  const auto* end = word.data() + word.size();
  const auto [ptr, ec] = std::from_chars(word.data(), end, value);
  if (ec != std::errc{} || ptr != end || value < min || value > max) {
    return make_error(what + " must be a whole number " + std::to_string(min) + ".." + std::to_string(max) +
                      ", got '" + word + "'");
  }
  return value;
}

}  // namespace

std::string to_string(const DeviceFault& fault) {
  switch (fault.kind) {
    case FaultKind::none: return "none";
    case FaultKind::drop: return "drop";
    case FaultKind::delay: return "delay " + std::to_string(fault.delay_ms);
    case FaultKind::exception: return "exception " + std::to_string(fault.exception_code);
    case FaultKind::garbage: return "garbage";
    case FaultKind::close: return "close";
  }
  return "none";
}

Result<DeviceFault> parse_fault(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  const std::string usage = "expected drop | delay MS | exception CODE | garbage | close | clear";
  if (words.empty()) return make_error("missing fault: " + usage);
  const std::string& kind = words[0];
  const auto no_argument = [&](FaultKind k) -> Result<DeviceFault> {
    if (words.size() != 1) return make_error("'" + kind + "' takes no argument");
    return DeviceFault{k, 0, 0};
  };
  if (kind == "clear" || kind == "none") return no_argument(FaultKind::none);
  if (kind == "drop") return no_argument(FaultKind::drop);
  if (kind == "garbage") return no_argument(FaultKind::garbage);
  if (kind == "close") return no_argument(FaultKind::close);
  if (kind == "delay" || kind == "exception") {
    if (words.size() != 2) return make_error("'" + kind + "' needs one number: " + usage);
    if (kind == "delay") {
      auto ms = parse_number(words[1], "delay (ms)", 0, 600000);
      if (!ms) return ms.error();
      return DeviceFault{FaultKind::delay, *ms, 0};
    }
    auto code = parse_number(words[1], "exception code", 1, 255);
    if (!code) return code.error();
    return DeviceFault{FaultKind::exception, 0, *code};
  }
  return make_error("unknown fault '" + kind + "': " + usage);
}

}  // namespace atmo::sim
