// Login sessions and the login lockout. Tokens are 256-bit random (OpenSSL RAND_bytes), kept only
// in memory (a restart logs everyone out), expire after an idle time measured on the injected
// Clock, and are bounded in number. Failed logins are counted per user name (known or not): after
// 5 the name is locked for 1 min, then 2, 4, 8 … up to an hour; a success resets it.
// Runs on the controller thread only.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "zones/clock.hpp"

namespace atmo::api {

inline constexpr int kLockoutAfterFailures = 5;
inline constexpr TimeMs kLockoutBaseMs = 60'000;
inline constexpr TimeMs kLockoutMaxMs = 3'600'000;

struct SessionInfo {
  std::string username;
  TimeMs created_ms = 0;
  TimeMs last_seen_ms = 0;
};

class SessionManager {
 public:
  SessionManager(const Clock& clock, std::chrono::minutes idle, std::size_t max_sessions = 1000);

  /// A new session for `username`; returns its token (64 hex chars).
  std::string create(const std::string& username);
  /// The session of `token` if it exists and has not been idle too long; refreshes its idle timer
  /// when `touch` is set. An expired session is removed.
  std::optional<SessionInfo> validate(std::string_view token, bool touch = true);
  void end(std::string_view token);
  /// Ends every session of a user (disabled, deleted, or their secret changed).
  void end_user(std::string_view username);
  /// Drops expired sessions; returns how many.
  std::size_t expire();

  TimeMs idle_ms() const { return idle_ms_; }
  std::size_t size() const { return sessions_.size(); }

  /// How long logins for `username` are still locked, 0 when they are not.
  TimeMs locked_for(std::string_view username) const;
  /// How many failed logins `username` may still make before the next lock: 5 for a fresh name,
  /// 1 once it has been locked before (each further failure locks again), 0 while locked.
  int attempts_before_lock(std::string_view username) const;
  /// Records a failed login; returns the lock now in force (0 below the threshold).
  TimeMs note_failure(std::string_view username);
  void note_success(std::string_view username);

 private:
  struct Failures {
    int count = 0;
    TimeMs locked_until = 0;
    TimeMs last_ms = 0;
  };

  const Clock& clock_;
  TimeMs idle_ms_;
  std::size_t max_sessions_;
  std::map<std::string, SessionInfo, std::less<>> sessions_;
  std::map<std::string, Failures, std::less<>> failures_;  ///< bounded: oldest entries dropped past 10 000
};

}  // namespace atmo::api
