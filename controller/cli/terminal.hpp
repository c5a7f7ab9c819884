// How the CLI shows things to a person: colour only on a terminal (never with NO_COLOR or
// TERM=dumb), tables aligned on what is visible, times in the venue's own time zone, and PINs
// typed without echo. Scripts get plain text (or --json) and the same exit codes.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atmo::cli {

enum class Colour { none, green, yellow, red, grey, bold };

/// Wraps text in ANSI colours, or leaves it alone when colour is off.
class Painter {
 public:
  /// Colour when standard output is a terminal, NO_COLOR is unset and TERM is not "dumb".
  static Painter for_stdout();
  explicit Painter(bool colour) : colour_(colour) {}

  bool colour() const { return colour_; }
  std::string operator()(std::string_view text, Colour colour) const;
  /// A compliance or device state in its colour: ok green, drifting yellow, out_of_standard red,
  /// no_data and not_applicable grey.
  std::string state(std::string_view state) const;

 private:
  bool colour_;
};

/// Columns of text, padded to the widest visible cell (ANSI escapes and UTF-8 counted right).
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header, std::string indent = {});
  /// Right-align these columns (numbers).
  TextTable& align_right(std::vector<std::size_t> columns);
  void add(std::vector<std::string> row);
  bool empty() const { return rows_.empty(); }
  void print(std::ostream& out, const Painter& paint) const;

 private:
  std::vector<std::string> header_;
  std::string indent_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

/// Characters a terminal shows for `text`: UTF-8 code points, without ANSI escape sequences.
std::size_t visible_width(std::string_view text);

/// Wall-clock times of the venue, from UTC milliseconds.
class VenueTime {
 public:
  /// An IANA zone name ("Europe/Riga"); an unknown or empty one shows UTC.
  explicit VenueTime(const std::string& time_zone);
  std::string clock(std::int64_t ms) const;          ///< "14:05"
  std::string clock_seconds(std::int64_t ms) const;  ///< "14:05:09"
  std::string date_time(std::int64_t ms) const;      ///< "2026-11-23 14:05"
  const std::string& zone_name() const { return name_; }

 private:
  std::string format(std::int64_t ms, const char* pattern) const;
  std::string name_;
  const void* zone_ = nullptr;  ///< a date::time_zone, kept out of this header
};

/// How long ago: "12 s", "5 min", "3 h 20 min", "2 d".
std::string age(std::int64_t then_ms, std::int64_t now_ms);

/// A number with at most `decimals` digits after the point, trailing zeros dropped ("21.5", "-30").
std::string number(double value, int decimals = 1);

bool stdin_is_terminal();
bool stdout_is_terminal();
/// Clears the terminal and puts the cursor top left (for a refreshing view).
void clear_screen(std::ostream& out);

/// A line typed without echo on a terminal (the prompt on stderr), or the next line of standard
/// input when it is not a terminal. nullopt at end of input.
std::optional<std::string> read_secret(std::string_view prompt);
/// A line typed on a terminal after `prompt`, or the next line of standard input.
std::optional<std::string> read_line(std::string_view prompt);

}  // namespace atmo::cli
