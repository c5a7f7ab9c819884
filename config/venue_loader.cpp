#include "config/venue_loader.hpp"

#include <algorithm>

#include <yaml-cpp/yaml.h>

#include "config/source_files.hpp"
#include "config/source_map.hpp"
#include "config/venue_validator.hpp"
#include "config/yaml_mapper.hpp"

namespace atmo::config {
namespace {

std::string display_path(const std::filesystem::path& p) { return p.generic_string(); }

// Parses one YAML document; a syntax error becomes a located diagnostic.
std::optional<YAML::Node> parse_yaml(const std::string& text, const std::string& file, std::vector<Diagnostic>& errors) {
  try {
    YAML::Node node = YAML::Load(text);
    if (!node.IsDefined() || node.IsNull()) {
      errors.push_back(Diagnostic{file, 1, 1, "the file is empty"});
      return std::nullopt;
    }
    return node;
  } catch (const YAML::Exception& e) {
    errors.push_back(Diagnostic{file, e.mark.line + 1, e.mark.column + 1, "YAML syntax: " + e.msg});
    return std::nullopt;
  }
}

LoadResult load_venue(const SourceFiles& files, const std::filesystem::path& venue_file) {
  LoadResult result;
  SourceMap sources;
  v1::Venue venue;
  const std::string name = display_path(venue_file);

  std::string read_error;
  auto text = files.read(venue_file, read_error);
  if (!text) {
    result.errors.push_back(Diagnostic{name, 0, 0, read_error});
    return result;
  }
  auto root = parse_yaml(*text, name, result.errors);
  if (!root) return result;
  YamlMapper(name, sources, result.errors).map_message(*root, venue);

  // Profile files are parsed straight into the venue's message so their locations stay valid.
  const auto base = venue_file.parent_path();
  for (int i = 0; i < venue.profile_dirs_size(); ++i) {
    const auto dir = (base / venue.profile_dirs(i)).lexically_normal();
    auto listing = files.list_yaml(dir);
    if (!listing) {
      const Location loc = sources.at(&venue, "profile_dirs[" + std::to_string(i) + "]");
      result.errors.push_back(Diagnostic{loc.file, loc.line, loc.column,
                                         "profile folder " + display_path(dir) + " does not exist"});
      continue;
    }
    for (const auto& file : *listing) {
      std::string err;
      auto profile_text = files.read(file, err);
      if (!profile_text) {
        result.errors.push_back(Diagnostic{display_path(file), 0, 0, err});
        continue;
      }
      auto node = parse_yaml(*profile_text, display_path(file), result.errors);
      if (node) YamlMapper(display_path(file), sources, result.errors).map_message(*node, *venue.add_profiles());
    }
  }

  validate_venue(venue, sources, result.errors);
  // Files in the order given, each file top to bottom; located errors before unlocated ones.
  std::stable_sort(result.errors.begin(), result.errors.end(), [&](const Diagnostic& a, const Diagnostic& b) {
    const bool a_venue = a.file == name, b_venue = b.file == name;
    if (a_venue != b_venue) return a_venue;
    if (a.file != b.file) return a.file < b.file;
    return std::make_pair(a.line == 0 ? 1 << 30 : a.line, a.column) < std::make_pair(b.line == 0 ? 1 << 30 : b.line, b.column);
  });
  if (result.errors.empty()) result.venue = std::move(venue);
  return result;
}

}  // namespace

std::string Diagnostic::to_string() const {
  if (line == 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

LoadResult load_venue_file(const std::filesystem::path& file) { return load_venue(DiskFiles{}, file); }

LoadResult load_embedded_demo() { return load_venue(EmbeddedFiles{}, EmbeddedFiles::demo_venue()); }

ProfileLoadResult load_profile_file(const std::filesystem::path& file) {
  ProfileLoadResult result;
  SourceMap sources;
  std::string err;
  auto text = DiskFiles{}.read(file, err);
  if (!text) {
    result.errors.push_back(Diagnostic{display_path(file), 0, 0, err});
    return result;
  }
  auto node = parse_yaml(*text, display_path(file), result.errors);
  if (!node) return result;
  v1::DeviceProfile profile;
  YamlMapper(display_path(file), sources, result.errors).map_message(*node, profile);
  if (result.errors.empty()) result.profile = std::move(profile);
  return result;
}

}  // namespace atmo::config
