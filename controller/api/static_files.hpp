// The tablet UI's files: compiled into the binary from web/ (embed_web.cmake), or read from a
// folder on disk with --web-dir while developing the UI. Answers a URL path with the file's bytes,
// its Content-Type and whether browsers must revalidate it (index.html: always).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace atmo::api {

struct WebFile {
  const char* path;  ///< "web/index.html"
  const char* text;
};
extern const WebFile kWebFiles[];
extern const std::size_t kWebFileCount;

struct StaticFile {
  std::string body;
  std::string content_type;
  bool no_cache = false;
};

class StaticFiles {
 public:
  /// Empty `web_dir`: serve the embedded files.
  explicit StaticFiles(std::filesystem::path web_dir = {}) : web_dir_(std::move(web_dir)) {}

  /// The file for URL path `path` ("/" is index.html). nullopt: no such file, or a path that
  /// tries to leave the folder.
  std::optional<StaticFile> find(std::string_view path) const;

  static std::string_view content_type(std::string_view path);

 private:
  std::filesystem::path web_dir_;
};

}  // namespace atmo::api
