// Loads a venue from YAML into the schema's messages and validates it as a whole: unknown keys
// (with a suggestion), wrong types, out-of-range values, dangling references, duplicate ids,
// overlapping registers. Every problem is reported as `file:line:col: message`, all of them at once.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/atmo.pb.h"

namespace atmo::config {

/// One problem in a config file, located where a person can fix it.
struct Diagnostic {
  std::string file;
  int line = 0;    ///< 1-based; 0 when the problem has no single place
  int column = 0;  ///< 1-based
  std::string message;

  /// "file:line:col: message"
  std::string to_string() const;
};

struct LoadResult {
  std::optional<v1::Venue> venue;   ///< set only when there are no errors
  std::vector<Diagnostic> errors;   ///< in file order

  bool ok() const { return errors.empty() && venue.has_value(); }
};

/// Reads a venue file and every profile file its profile_dirs name, then validates the whole.
LoadResult load_venue_file(const std::filesystem::path& file);

/// The demo venue and the standard profiles compiled into the binary, so `atmo demo` needs no files.
LoadResult load_embedded_demo();

/// Reads one device profile file (what `profile_dirs` folders hold).
struct ProfileLoadResult {
  std::optional<v1::DeviceProfile> profile;
  std::vector<Diagnostic> errors;
  bool ok() const { return errors.empty() && profile.has_value(); }
};
ProfileLoadResult load_profile_file(const std::filesystem::path& file);

}  // namespace atmo::config
