#include "controller/api/static_files.hpp"

#include <fstream>
#include <sstream>

namespace atmo::api {

std::string_view StaticFiles::content_type(std::string_view path) {
  const auto dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "json") return "application/json";
  if (ext == "webmanifest") return "application/manifest+json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "txt" || ext == "md") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::optional<StaticFile> StaticFiles::find(std::string_view path) const {
  std::string rel(path.substr(0, path.find('?')));
  if (rel.empty() || rel == "/") rel = "/index.html";
  if (rel.front() != '/') return std::nullopt;
  rel.erase(0, 1);
  // No parent segments, no hidden files, no backslashes: the URL cannot leave the web folder.
  if (rel.find("..") != std::string::npos || rel.find('\\') != std::string::npos || rel.find("/.") != std::string::npos ||
      rel.front() == '.' || rel.find('\0') != std::string::npos) {
    return std::nullopt;
  }
  StaticFile out;
  out.content_type = std::string(content_type(rel));
  out.no_cache = rel == "index.html";
  if (!web_dir_.empty()) {
    const auto file = web_dir_ / rel;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream buf;
    buf << in.rdbuf();
    out.body = buf.str();
    return out;
  }
  const std::string wanted = "web/" + rel;
  for (std::size_t i = 0; i < kWebFileCount; ++i) {
    if (wanted == kWebFiles[i].path) {
      out.body = kWebFiles[i].text;
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace atmo::api
