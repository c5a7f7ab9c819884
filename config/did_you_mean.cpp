#include "config/did_you_mean.hpp"

#include <algorithm>
#include <cctype>

namespace atmo::config {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Damerau-Levenshtein (optimal string alignment); keys are short, so O(n*m) is nothing.
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  // "fade" for "fade_ms": a unit suffix the user left off is the commonest near miss of all.
  for (const auto& c : candidates) {
    if (c.size() > word.size() + 1 && c.compare(0, word.size(), word) == 0 && c[word.size()] == '_') return c;
  }
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const auto& c : candidates) {
    const std::size_t dist = edit_distance(word, c);
    if (!best || dist < best_distance) {
      best = c;
      best_distance = dist;
    }
  }
  // A third of the word (at least one, at most three edits) is what typos look like in practice.
  const std::size_t allowed = std::clamp<std::size_t>(word.size() / 3, 1, 3);
  if (best && best_distance > 0 && best_distance <= allowed) return best;
  return std::nullopt;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  if (auto m = closest_match(word, candidates)) return "; did you mean '" + *m + "'?";
  return "";
}

}  // namespace atmo::config
