#include "zones/local_time.hpp"

#include <array>
#include <cstdio>

namespace atmo::zones {

Result<int> parse_hhmm(std::string_view text) {
  auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9' ? text[i] - '0' : -1; };
  if (text.size() != 5 || text[2] != ':' || digit(0) < 0 || digit(1) < 0 || digit(3) < 0 || digit(4) < 0) {
    return make_error("time \"" + std::string(text) + "\" is not HH:MM (e.g. 07:30)");
  }
  const int hours = digit(0) * 10 + digit(1);
  const int minutes = digit(3) * 10 + digit(4);
  if (hours > 23 || minutes > 59) {
    return make_error("time \"" + std::string(text) + "\" is out of range: use 00:00 .. 23:59");
  }
  return hours * 60 + minutes;
}

std::string format_hhmm(int minute_of_day) {
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), "%02d:%02d", (minute_of_day / 60) % 100, minute_of_day % 60);
  return buf.data();
}

std::string_view weekday_name(int iso_weekday) {
  static constexpr std::array<std::string_view, 7> kNames = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                                             "Friday", "Saturday", "Sunday"};
  if (iso_weekday < 1 || iso_weekday > 7) return "?";
  return kNames[static_cast<std::size_t>(iso_weekday - 1)];
}

}  // namespace atmo::zones
