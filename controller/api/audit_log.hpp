// The audit trail: one record per state-changing request (allowed or refused), appended as one JSON
// line to a file in the state dir and fsynced before the request is answered, so an action that was
// answered is on disk. Records never carry a secret: the router fills them, and they have no field
// for a PIN, password, token or cookie. Runs on the controller thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "config/api.pb.h"
#include "zones/result.hpp"

namespace atmo::api {

class AuditLog {
 public:
  /// Opens (creates) `path` for appending. Throws std::runtime_error when it cannot: the daemon
  /// must not run without its audit trail.
  explicit AuditLog(std::filesystem::path path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  /// Appends and fsyncs one record. Errors: the write failed (the disk is full, say).
  Status append(const v1::AuditRecord& record);

  /// The newest `limit` records, oldest first. Errors: the file cannot be read.
  Result<std::vector<v1::AuditRecord>> tail(std::size_t limit) const;

  std::uint64_t appended() const { return appended_; }
  std::uint64_t failed() const { return failed_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t appended_ = 0;
  std::uint64_t failed_ = 0;
};

}  // namespace atmo::api
