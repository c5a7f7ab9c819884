#include "controller/api/audit_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <stdexcept>

#include "controller/api/json_codec.hpp"

namespace atmo::api {

AuditLog::AuditLog(std::filesystem::path path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error("cannot open the audit log " + path_.string() + ": " + std::strerror(errno));
}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

Status AuditLog::append(const v1::AuditRecord& record) {
  const std::string line = to_json(record) + "\n";
  // O_APPEND with one write() per record keeps lines whole; the loop only covers short writes.
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ++failed_;
      return make_error("cannot append to the audit log " + path_.string() + ": " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd_) != 0) {
    ++failed_;
    return make_error("cannot flush the audit log " + path_.string() + ": " + std::strerror(errno));
  }
  ++appended_;
  return ok_status();
}

Result<std::vector<v1::AuditRecord>> AuditLog::tail(std::size_t limit) const {
  std::ifstream in(path_);
  if (!in) return make_error("cannot read the audit log " + path_.string());
  // TODO(api): seek from the end once audit files grow past a few MB; a venue writes ~1000 a day.
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    lines.push_back(std::move(line));
    if (lines.size() > limit) lines.pop_front();
  }
  std::vector<v1::AuditRecord> out;
  out.reserve(lines.size());
  for (const auto& l : lines) {
    v1::AuditRecord r;
    if (from_json(l, r)) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace atmo::api
