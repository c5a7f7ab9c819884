// The words of a report in the languages the venue's staff read (en, ru), and the number and
// duration formats every report format shares, so HTML, Markdown and CSV say the same thing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atmo::report {

/// The text for `key` in `lang` ("en" or "ru"); English for any other language or missing entry.
/// Keys are the English phrases themselves, so a missing translation still reads well.
std::string tr(std::string_view lang, std::string_view key);

/// "sight" -> "Sight" / "Зрение".
std::string sense_label(std::string_view lang, std::string_view sense);

/// "2 h 05 min", "12 min", "45 s", "0 min".
std::string format_duration(std::int64_t seconds);
/// "97.3 %" or "—" when there is no index.
std::string format_percent(std::optional<double> percent);
/// A reading: up to 2 decimals, trailing zeros dropped ("21.5", "400", "0.25").
std::string format_value(double value);

}  // namespace atmo::report
