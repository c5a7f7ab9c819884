#include "controller/cli/terminal.hpp"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <ostream>

#include <date/tz.h>

namespace atmo::cli {

namespace {

const char* code(Colour colour) {
  switch (colour) {
    case Colour::green: return "\033[32m";
    case Colour::yellow: return "\033[33m";
    case Colour::red: return "\033[1;31m";
    case Colour::grey: return "\033[90m";
    case Colour::bold: return "\033[1m";
    case Colour::none: return "";
  }
  return "";
}

}  // namespace

Painter Painter::for_stdout() {
  const char* no_colour = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  const bool dumb = term != nullptr && std::string_view(term) == "dumb";
  return Painter(stdout_is_terminal() && (no_colour == nullptr || *no_colour == '\0') && !dumb);
}

std::string Painter::operator()(std::string_view text, Colour colour) const {
  if (!colour_ || colour == Colour::none) return std::string(text);
  return std::string(code(colour)) + std::string(text) + "\033[0m";
}

std::string Painter::state(std::string_view state) const {
  Colour colour = Colour::none;
  if (state == "ok" || state == "online") colour = Colour::green;
  else if (state == "drifting") colour = Colour::yellow;
  else if (state == "out_of_standard" || state == "offline" || state == "FIRE") colour = Colour::red;
  else if (state == "no_data" || state == "not_applicable" || state == "-") colour = Colour::grey;
  return (*this)(state, colour);
}

// ---------------------------------------------------------------------------------------------

std::size_t visible_width(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0x1b) {  // CSI sequence: ESC [ parameters final-byte
      ++i;
      if (i < text.size() && text[i] == '[') {
        while (i + 1 < text.size() && !(text[i + 1] >= '@' && text[i + 1] <= '~')) ++i;
        ++i;
      }
      continue;
    }
    if ((c & 0xC0) != 0x80) ++width;  // count lead bytes only
  }
  return width;
}

TextTable::TextTable(std::vector<std::string> header, std::string indent)
    : header_(std::move(header)), indent_(std::move(indent)), right_(header_.size(), false) {}

TextTable& TextTable::align_right(std::vector<std::size_t> columns) {
  for (auto c : columns) {
    if (c < right_.size()) right_[c] = true;
  }
  return *this;
}

void TextTable::add(std::vector<std::string> row) {
  row.resize(header_.size());
  rows_.push_back(std::move(row));
}

void TextTable::print(std::ostream& out, const Painter& paint) const {
  std::vector<std::size_t> widths(header_.size());
  for (std::size_t c = 0; c < header_.size(); ++c) widths[c] = visible_width(header_[c]);
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], visible_width(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    std::string text = indent_;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::size_t pad = widths[c] - visible_width(cells[c]);
      const bool last = c + 1 == cells.size();
      const std::string cell = header ? paint(cells[c], Colour::bold) : cells[c];
      if (right_[c]) text += std::string(pad, ' ') + cell;
      else text += cell + (last ? std::string() : std::string(pad, ' '));
      if (!last) text += "  ";
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  };
  line(header_, true);
  for (const auto& row : rows_) line(row, false);
}

// ---------------------------------------------------------------------------------------------

VenueTime::VenueTime(const std::string& time_zone) : name_(time_zone.empty() ? "UTC" : time_zone) {
  try {
    zone_ = date::locate_zone(name_);
  } catch (const std::exception&) {
    name_ = "UTC";
    zone_ = date::locate_zone("UTC");
  }
}

std::string VenueTime::format(std::int64_t ms, const char* pattern) const {
  const auto* zone = static_cast<const date::time_zone*>(zone_);
  const date::sys_time<std::chrono::seconds> t{std::chrono::seconds(ms / 1000)};
  return date::format(pattern, date::make_zoned(zone, t));
}

std::string VenueTime::clock(std::int64_t ms) const { return format(ms, "%H:%M"); }
std::string VenueTime::clock_seconds(std::int64_t ms) const { return format(ms, "%H:%M:%S"); }
std::string VenueTime::date_time(std::int64_t ms) const { return format(ms, "%Y-%m-%d %H:%M"); }

std::string age(std::int64_t then_ms, std::int64_t now_ms) {
  const std::int64_t s = std::max<std::int64_t>(0, (now_ms - then_ms) / 1000);
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600) return std::to_string(s / 60) + " min";
  if (s < 86400) {
    const auto minutes = (s % 3600) / 60;
    return std::to_string(s / 3600) + " h" + (minutes ? " " + std::to_string(minutes) + " min" : "");
  }
  return std::to_string(s / 86400) + " d";
}

std::string number(double value, int decimals) {
  if (std::isnan(value)) return "NaN";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  std::string out(text);
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

// ---------------------------------------------------------------------------------------------

bool stdin_is_terminal() { return ::isatty(STDIN_FILENO) != 0; }
bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) != 0; }

void clear_screen(std::ostream& out) { out << "\033[H\033[2J"; }

std::optional<std::string> read_line(std::string_view prompt) {
  if (stdin_is_terminal()) std::cerr << prompt << std::flush;
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::optional<std::string> read_secret(std::string_view prompt) {
  if (!stdin_is_terminal()) return read_line(prompt);
  termios saved{};
  const bool have_terminal = ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (have_terminal) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;  // the Enter still moves to the next line
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  auto line = read_line(prompt);
  if (have_terminal) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  return line;
}

}  // namespace atmo::cli
