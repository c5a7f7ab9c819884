#include "config/source_files.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <system_error>

namespace atmo::config {

// Generated from config/venues and config/profiles by config/CMakeLists.txt (embedded_files.cpp).
struct EmbeddedFile {
  const char* path;
  const char* text;
};
extern const EmbeddedFile kEmbeddedFiles[];
extern const std::size_t kEmbeddedFileCount;

namespace {

const std::filesystem::path kEmbeddedRoot = "<embedded>";

bool is_yaml(const std::filesystem::path& p) { return p.extension() == ".yaml" || p.extension() == ".yml"; }

}  // namespace

std::optional<std::string> DiskFiles::read(const std::filesystem::path& file, std::string& error) const {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error = std::string("cannot open: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<std::vector<std::filesystem::path>> DiskFiles::list_yaml(const std::filesystem::path& dir) const {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return std::nullopt;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec) && is_yaml(entry.path())) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::optional<std::string> EmbeddedFiles::read(const std::filesystem::path& file, std::string& error) const {
  const std::string wanted = file.lexically_normal().generic_string();
  for (std::size_t i = 0; i < kEmbeddedFileCount; ++i) {
    if ((kEmbeddedRoot / kEmbeddedFiles[i].path).generic_string() == wanted) return std::string(kEmbeddedFiles[i].text);
  }
  error = "not among the files compiled into atmo";
  return std::nullopt;
}

std::optional<std::vector<std::filesystem::path>> EmbeddedFiles::list_yaml(const std::filesystem::path& dir) const {
  const std::filesystem::path wanted = dir.lexically_normal();
  std::vector<std::filesystem::path> files;
  for (std::size_t i = 0; i < kEmbeddedFileCount; ++i) {
    const std::filesystem::path p = kEmbeddedRoot / kEmbeddedFiles[i].path;
    if (p.parent_path() == wanted && is_yaml(p)) files.push_back(p);
  }
  if (files.empty()) return std::nullopt;
  std::sort(files.begin(), files.end());
  return files;
}

std::filesystem::path EmbeddedFiles::demo_venue() { return kEmbeddedRoot / "config/venues/demo.yaml"; }

}  // namespace atmo::config
