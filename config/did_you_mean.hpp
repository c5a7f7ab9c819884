// Suggestions for misspelt names ("did you mean 'name'?"), shared by the YAML mapper and the
// validator so a typo in a key and a typo in a reference read the same way.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atmo::config {

/// Edit distance (insert, delete, substitute, swap of neighbours) between two short strings.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The closest candidate when it is close enough to be a likely typo, else nothing.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// "; did you mean 'x'?" or "" — ready to append to a message.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace atmo::config
