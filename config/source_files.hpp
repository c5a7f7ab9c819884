// Where config text comes from: the disk, or the copies compiled into the binary (the demo venue
// and the standard device profiles), so `atmo demo` runs with no files beside it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace atmo::config {

class SourceFiles {
 public:
  virtual ~SourceFiles() = default;
  /// The file's text, or nothing when it cannot be read (`error` says why).
  virtual std::optional<std::string> read(const std::filesystem::path& file, std::string& error) const = 0;
  /// The *.yaml / *.yml files of a folder, sorted by name; nothing when the folder is missing.
  virtual std::optional<std::vector<std::filesystem::path>> list_yaml(const std::filesystem::path& dir) const = 0;
};

class DiskFiles final : public SourceFiles {
 public:
  std::optional<std::string> read(const std::filesystem::path& file, std::string& error) const override;
  std::optional<std::vector<std::filesystem::path>> list_yaml(const std::filesystem::path& dir) const override;
};

/// Files compiled in from config/ (see embedded_files.cpp, generated at build time).
class EmbeddedFiles final : public SourceFiles {
 public:
  std::optional<std::string> read(const std::filesystem::path& file, std::string& error) const override;
  std::optional<std::vector<std::filesystem::path>> list_yaml(const std::filesystem::path& dir) const override;

  /// Path of the embedded demo venue, e.g. "<embedded>/config/venues/demo.yaml".
  static std::filesystem::path demo_venue();
};

}  // namespace atmo::config
