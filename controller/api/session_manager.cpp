#include "controller/api/session_manager.hpp"

#include <algorithm>

#include "controller/api/password_hash.hpp"

namespace atmo::api {

namespace {
constexpr std::size_t kMaxFailureEntries = 10'000;
}

SessionManager::SessionManager(const Clock& clock, std::chrono::minutes idle, std::size_t max_sessions)
    : clock_(clock), idle_ms_(std::chrono::duration_cast<std::chrono::milliseconds>(idle).count()),
      max_sessions_(std::max<std::size_t>(1, max_sessions)) {}

std::string SessionManager::create(const std::string& username) {
  expire();
  if (sessions_.size() >= max_sessions_) {
    // Full: the session idle the longest makes room.
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
      return a.second.last_seen_ms < b.second.last_seen_ms;
    });
    sessions_.erase(oldest);
  }
  std::string token = random_hex(32);
  const TimeMs now = clock_.now_ms();
  sessions_[token] = SessionInfo{username, now, now};
  return token;
}

std::optional<SessionInfo> SessionManager::validate(std::string_view token, bool touch) {
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  const TimeMs now = clock_.now_ms();
  if (now - it->second.last_seen_ms >= idle_ms_) {
    sessions_.erase(it);
    return std::nullopt;
  }
  if (touch) it->second.last_seen_ms = now;
  return it->second;
}

void SessionManager::end(std::string_view token) {
  if (auto it = sessions_.find(token); it != sessions_.end()) sessions_.erase(it);
}

void SessionManager::end_user(std::string_view username) {
  std::erase_if(sessions_, [&](const auto& s) { return s.second.username == username; });
}

std::size_t SessionManager::expire() {
  const TimeMs now = clock_.now_ms();
  return std::erase_if(sessions_, [&](const auto& s) { return now - s.second.last_seen_ms >= idle_ms_; });
}

TimeMs SessionManager::locked_for(std::string_view username) const {
  auto it = failures_.find(username);
  if (it == failures_.end()) return 0;
  return std::max<TimeMs>(0, it->second.locked_until - clock_.now_ms());
}

int SessionManager::attempts_before_lock(std::string_view username) const {
  if (locked_for(username) > 0) return 0;
  auto it = failures_.find(username);
  if (it == failures_.end()) return kLockoutAfterFailures;
  return std::max(1, kLockoutAfterFailures - it->second.count);
}

TimeMs SessionManager::note_failure(std::string_view username) {
  const TimeMs now = clock_.now_ms();
  auto it = failures_.find(username);
  if (it == failures_.end()) {
    if (failures_.size() >= kMaxFailureEntries) {
      auto oldest = std::min_element(failures_.begin(), failures_.end(),
                                     [](const auto& a, const auto& b) { return a.second.last_ms < b.second.last_ms; });
      failures_.erase(oldest);
    }
    it = failures_.emplace(std::string(username), Failures{}).first;
  }
  auto& f = it->second;
  f.count += 1;
  f.last_ms = now;
  if (f.count < kLockoutAfterFailures) return 0;
  // 5th failure: 1 min; each further failure doubles it, up to an hour.
  const int doublings = std::min(f.count - kLockoutAfterFailures, 6);
  const TimeMs lock = std::min(kLockoutBaseMs << doublings, kLockoutMaxMs);
  f.locked_until = now + lock;
  return lock;
}

void SessionManager::note_success(std::string_view username) {
  if (auto it = failures_.find(username); it != failures_.end()) failures_.erase(it);
}

}  // namespace atmo::api
