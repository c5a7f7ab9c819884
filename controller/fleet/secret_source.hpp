// Secrets (the metrics bearer token, the broker password, command signing keys) come from a file
// or an environment variable named in the venue file, never from the venue file itself, so the
// venue file can be versioned and shared. Their values are never logged.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "zones/result.hpp"

namespace atmo::fleet {

/// Looks an environment variable up; null when unset. Tests inject their own.
using EnvLookup = std::function<const char*(const char*)>;

/// The secret in `file` (whole content) or in the variable `env`, surrounding whitespace removed.
/// Exactly one of them is expected to be non-empty. `what` names the secret in errors.
/// Errors: the file cannot be read, the variable is unset, the secret is empty or shorter than
/// `min_length`.
Result<std::string> read_secret(std::string_view what, const std::string& file, const std::string& env,
                                const EnvLookup& getenv = {}, std::size_t min_length = 1);

/// Compares in time independent of where (and whether) the strings differ: tokens, signatures.
bool same_secret(std::string_view a, std::string_view b);

}  // namespace atmo::fleet
